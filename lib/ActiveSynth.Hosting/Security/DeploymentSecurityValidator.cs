using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Hosting.Security;

/// <summary>
/// Refuses to start a service that would be reachable past loopback without keys or in clear text, naming the setting to set;
/// and checks the keys and files themselves (length, distinct per role, readable PEM).
/// </summary>
public sealed class DeploymentSecurityValidator(IConfiguration configuration) : IValidateOptions<DeploymentSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, DeploymentSecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var keys = options.Keys.ByRole().ToList();
        foreach (var (role, key) in keys.Where(k => k.Key.Length < DeploymentKeys.MinLength))
        {
            failures.Add($"Security:Keys:{Capitalized(role)} is {key.Length} characters; a deployment key needs at least {DeploymentKeys.MinLength} (e.g. `openssl rand -hex 32`).");
        }
        if (keys.Select(k => k.Key).Distinct(StringComparer.Ordinal).Count() < keys.Count)
        {
            failures.Add("Security:Keys: two roles have the same key; each role needs its own, or one role's key would grant the other's rights.");
        }
        if (string.IsNullOrEmpty(options.CertificatePath) != string.IsNullOrEmpty(options.CertificateKeyPath))
        {
            failures.Add("Security:CertificatePath and Security:CertificateKeyPath go together (a PEM certificate and its PEM private key).");
        }
        foreach (var (setting, path) in new[]
                 {
                     ("Security:CertificatePath", options.CertificatePath), ("Security:CertificateKeyPath", options.CertificateKeyPath),
                     ("Security:TrustedCaPath", options.TrustedCaPath),
                 })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                failures.Add($"{setting}: '{path}' does not exist.");
            }
        }
        foreach (var url in ListenAddresses.From(configuration).Where(u => !ListenAddresses.IsLoopback(u)))
        {
            if (keys.Count == 0)
            {
                failures.Add($"{url} listens beyond loopback, so this service needs authentication: set Security:Keys:Operator, " +
                             "Security:Keys:Worker and Security:Keys:Service (one deployment key per role), or listen on localhost.");
            }
            if (!ListenAddresses.IsHttps(url))
            {
                failures.Add($"{url} listens beyond loopback in clear text: use https:// with Security:CertificatePath and Security:CertificateKeyPath.");
            }
        }
        if (string.IsNullOrEmpty(options.CertificatePath) && ListenAddresses.From(configuration).FirstOrDefault(ListenAddresses.IsHttps) is { } https)
        {
            failures.Add($"{https} is https: set Security:CertificatePath and Security:CertificateKeyPath (PEM files).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Capitalized(string role) => char.ToUpperInvariant(role[0]) + role[1..];
}
