namespace ActiveSynth.Hosting.Security;

/// <summary>
/// A service's security settings (section <c>Security</c>, validated at start by <see cref="DeploymentSecurityValidator"/>). All empty
/// is the local profile: loopback only, no keys, plain h2c. Anything that listens past loopback needs keys and a certificate.
/// </summary>
public sealed class DeploymentSecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>The keys this service accepts, per role.</summary>
    public DeploymentKeys Keys { get; set; } = new();

    /// <summary>The key this process presents on its own calls to the deployment (a worker replica's artifact service: the worker key).</summary>
    public string? ClientKey { get; set; }

    /// <summary>PEM certificate (chain) this service serves HTTPS with.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>PEM CA certificate trusted for this process's outgoing TLS (the artifact service, Redis) besides the system's roots.</summary>
    public string? TrustedCaPath { get; set; }
}
