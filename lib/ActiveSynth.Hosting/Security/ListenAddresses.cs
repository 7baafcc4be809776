using System.Net;
using Microsoft.Extensions.Configuration;

namespace ActiveSynth.Hosting.Security;

/// <summary>
/// The addresses a service was asked to listen on, from the settings Kestrel reads (<c>urls</c>/ASPNETCORE_URLS,
/// <c>http_ports</c>, <c>https_ports</c>, <c>Kestrel:Endpoints:*:Url</c>), checked before it binds.
/// </summary>
public static class ListenAddresses
{
    public static IReadOnlyList<string> From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = new List<string>();
        urls.AddRange(Split(configuration["urls"]));
        urls.AddRange(Split(configuration["http_ports"]).Select(p => $"http://*:{p}"));
        urls.AddRange(Split(configuration["https_ports"]).Select(p => $"https://*:{p}"));
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls;
    }

    /// <summary>Whether <paramref name="url"/> binds loopback only (localhost, 127.0.0.0/8, ::1); wildcards and other hosts do not.</summary>
    public static bool IsLoopback(string url)
    {
        var host = HostOf(url);
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    public static bool IsHttps(string url) => url.TrimStart().StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static string HostOf(string url)
    {
        var rest = url.Trim();
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        rest = scheme >= 0 ? rest[(scheme + 3)..] : rest;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        rest = slash >= 0 ? rest[..slash] : rest;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? rest[1..close] : rest;
        }
        var colon = rest.LastIndexOf(':');
        return colon >= 0 ? rest[..colon] : rest;
    }

    private static IEnumerable<string> Split(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
