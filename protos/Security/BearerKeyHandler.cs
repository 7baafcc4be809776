using System.Net.Http.Headers;

namespace ActiveSynth.Contracts.Security;

/// <summary>Adds <c>authorization: Bearer &lt;key&gt;</c> to every request: how a client shows its role to a deployment.</summary>
public sealed class BearerKeyHandler(string key) : DelegatingHandler
{
    public const string Scheme = "Bearer";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = new AuthenticationHeaderValue(Scheme, key);
        return base.SendAsync(request, cancellationToken);
    }
}
