namespace ActiveSynth.Core.Diagnostics;

/// <summary>
/// URLs as they may be logged or shown: an endpoint given as <c>https://user:password@host/v1</c> (a proxy's basic auth, a
/// vLLM gateway) must not leave its credentials in logs, traces or error messages. The one place .NET code makes a URL safe to
/// print; the Python teacher has its own <c>safe_url</c>.
/// </summary>
public static class SafeUrl
{
    private const string Hidden = "***";

    /// <summary>Scheme, host and port only (<c>https://host:8443</c>): no user information, path or query.</summary>
    public static string Authority(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.IsAbsoluteUri ? $"{url.Scheme}://{HostAndPort(url)}" : Hidden;
    }

    /// <summary>
    /// The URL with its user information replaced by <c>***</c> and its query, which may carry a key (<c>?api-key=…</c>), by
    /// <c>?***</c>; scheme, host, port and path kept. A relative URL is all hidden: nothing tells its parts apart.
    /// </summary>
    public static string Redact(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return Hidden;
        }
        var user = url.UserInfo.Length > 0 ? $"{Hidden}@" : "";
        var query = url.Query.Length > 0 ? $"?{Hidden}" : "";
        return $"{url.Scheme}://{user}{HostAndPort(url)}{url.AbsolutePath}{query}";
    }

    /// <summary><see cref="Redact(Uri)"/> of a URL given as text; text that is not an absolute URL is hidden whole (it may be a secret).</summary>
    public static string Redact(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? Redact(parsed) : Hidden;

    private static string HostAndPort(Uri url) => url.IsDefaultPort ? url.Authority : $"{url.Host}:{url.Port}";
}
