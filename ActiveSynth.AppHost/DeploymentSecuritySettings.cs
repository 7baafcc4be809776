using Microsoft.Extensions.Configuration;

namespace ActiveSynth.AppHost;

/// <summary>
/// The <c>Security</c> section of the AppHost, passed to every service it starts: the deployment keys as secret parameters (one
/// resource per key, masked in the dashboard, placeholders in a published manifest to be filled from a secret store), the
/// certificate and CA paths as plain settings. Nothing is set by default: the local profile has no keys.
/// </summary>
public static class DeploymentSecuritySettings
{
    private static readonly (string Setting, string Parameter)[] Secrets =
    [
        ("Security:Keys:Operator", "security-operator-key"),
        ("Security:Keys:Worker", "security-worker-key"),
        ("Security:Keys:Service", "security-service-key"),
        ("Security:ClientKey", "security-client-key"),
    ];

    private static readonly string[] Paths = ["Security:CertificatePath", "Security:CertificateKeyPath", "Security:TrustedCaPath"];

    public static IResourceBuilder<T> WithDeploymentSecurity<T>(this IResourceBuilder<T> service) where T : IResourceWithEnvironment
    {
        var builder = service.ApplicationBuilder;
        foreach (var (setting, parameter) in Secrets.Where(s => !string.IsNullOrWhiteSpace(builder.Configuration[s.Setting])))
        {
            var existing = builder.Resources.OfType<ParameterResource>().FirstOrDefault(r => r.Name == parameter);
            var secret = existing is null
                ? builder.AddParameterFromConfiguration(parameter, setting, secret: true)
                : builder.CreateResourceBuilder(existing);
            service.WithEnvironment(EnvironmentName(setting), secret);
        }
        foreach (var setting in Paths.Where(p => !string.IsNullOrWhiteSpace(builder.Configuration[p])))
        {
            service.WithEnvironment(EnvironmentName(setting), Path.GetFullPath(builder.Configuration[setting]!, builder.AppHostDirectory));
        }
        return service;
    }

    private static string EnvironmentName(string setting) => setting.Replace(":", "__", StringComparison.Ordinal);
}
