using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Hosting.Security;

public static class SecurityServiceExtensions
{
    /// <summary>
    /// The <c>Security</c> settings, checked at start (<see cref="DeploymentSecurityValidator"/>: nothing past loopback without keys
    /// and TLS), and Kestrel's HTTPS certificate from them. The key check itself is <see cref="DeploymentKeyInterceptor"/>, added
    /// with the service's gRPC.
    /// </summary>
    public static IServiceCollection AddDeploymentSecurity(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<DeploymentSecurityOptions>)))
        {
            return services; // both the service's hosting and its gRPC ask for it
        }
        services.AddOptions<DeploymentSecurityOptions>()
            .BindConfiguration(DeploymentSecurityOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeploymentSecurityOptions>, DeploymentSecurityValidator>());
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<DeploymentSecurityOptions>>((kestrel, security) =>
        {
            var (certificate, key) = (security.Value.CertificatePath, security.Value.CertificateKeyPath);
            if (!string.IsNullOrEmpty(certificate) && !string.IsNullOrEmpty(key) && File.Exists(certificate) && File.Exists(key))
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = X509Certificate2.CreateFromPemFile(certificate, key));
            }
        });
        return services;
    }
}
