using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace ActiveSynth.Contracts.Security;

/// <summary>
/// What a client presents to a deployment's gRPC endpoints: its role's deployment key (sent as <c>authorization: Bearer</c>) and
/// the deployment's CA certificate, trusted for that endpoint besides the system's roots. Both are optional: a local deployment
/// on loopback needs neither. A key is never sent in clear text past loopback (<see cref="Open"/> refuses).
/// </summary>
public sealed record DeploymentCredential(string? Key = null, string? TrustedCaPath = null)
{
    /// <summary>The environment variable the command line reads its key from (never an argument: <c>ps</c> would show it).</summary>
    public const string KeyVariable = "ACTIVESYNTH_KEY";

    /// <summary>The environment variable naming a PEM file with the deployment's CA certificate.</summary>
    public const string CaVariable = "ACTIVESYNTH_CA";

    public static DeploymentCredential None { get; } = new();

    /// <summary><see cref="KeyVariable"/> and <see cref="CaVariable"/>, read with <paramref name="variable"/> (the process environment, or a test's).</summary>
    public static DeploymentCredential FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return new DeploymentCredential(NonEmpty(variable(KeyVariable)), NonEmpty(variable(CaVariable)));
    }

    /// <summary>A channel to <paramref name="address"/> that presents this credential.</summary>
    public GrpcChannel Open(string address, GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        options.HttpHandler = CreateHandler(new Uri(address));
        options.DisposeHttpClient = true;
        return GrpcChannel.ForAddress(address, options);
    }

    /// <summary>The HTTP handler for calls to <paramref name="address"/>: the CA's trust, then the key on every request.</summary>
    public HttpMessageHandler CreateHandler(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Key is not null && address.Scheme != Uri.UriSchemeHttps && !address.IsLoopback)
        {
            throw new InvalidOperationException(
                $"Refusing to send a deployment key in clear text to {address.GetLeftPart(UriPartial.Authority)}: use its https:// address.");
        }
        var sockets = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (TrustedCaPath is not null)
        {
            sockets.SslOptions.RemoteCertificateValidationCallback = TrustingOnly(LoadCa(TrustedCaPath));
        }
        return Key is null ? sockets : new BearerKeyHandler(Key) { InnerHandler = sockets };
    }

    /// <summary>Reads a PEM CA certificate, naming the file when it cannot.</summary>
    public static X509Certificate2 LoadCa(string path)
    {
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"The deployment CA certificate '{path}' could not be read as PEM: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Accepts what the system trusts, or a chain that ends at <paramref name="ca"/> for the right name: a deployment CA signs its
    /// services' certificates without being installed on every client.
    /// </summary>
    public static RemoteCertificateValidationCallback TrustingOnly(X509Certificate2 ca) => (_, certificate, _, errors) =>
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var leaf = certificate as X509Certificate2;
        using var loaded = leaf is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        return chain.Build(leaf ?? loaded!);
    };

    /// <summary>Never the key itself: records print in logs.</summary>
    public override string ToString() => $"DeploymentCredential {{ Key = {(Key is null ? "none" : "set")}, TrustedCaPath = {TrustedCaPath ?? "none"} }}";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
