using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// Redis memory against its limit: Degraded when <c>used_memory / maxmemory</c> passes
/// <see cref="RedisMemoryOptions.DegradedAbove"/> (or when no <c>maxmemory</c> is set, since nothing then bounds it), naming the
/// figures; Healthy below. Unreachable Redis is the "redis" check's business, so this one says Degraded, not Unhealthy.
/// </summary>
public sealed class RedisMemoryHealthCheck(IConnectionMultiplexer redis, IOptions<RedisMemoryOptions> options) : IHealthCheck
{
    private const string InfoMemoryScript = "return redis.call('INFO', 'memory')";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long used, max;
        string policy;
        try
        {
            // Through a script: the services' connections are not in admin mode, which IServer.InfoAsync needs.
            var info = (string?)await redis.GetDatabase().ScriptEvaluateAsync(InfoMemoryScript).WaitAsync(cancellationToken).ConfigureAwait(false) ?? "";
            var memory = info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(':', 2))
                .Where(pair => pair.Length == 2)
                .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
            used = long.Parse(memory["used_memory"], CultureInfo.InvariantCulture);
            max = memory.TryGetValue("maxmemory", out var m) ? long.Parse(m, CultureInfo.InvariantCulture) : 0;
            policy = memory.GetValueOrDefault("maxmemory_policy", "unknown");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or KeyNotFoundException or FormatException)
        {
            return HealthCheckResult.Degraded("could not read Redis memory figures (INFO memory)", ex);
        }
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["used_memory"] = used,
            ["maxmemory"] = max,
            ["maxmemory_policy"] = policy,
        };
        if (max <= 0)
        {
            return HealthCheckResult.Degraded($"Redis uses {Mb(used)} with no maxmemory set: nothing bounds it", data: data);
        }
        var share = (double)used / max;
        var threshold = options.Value.DegradedAbove;
        var figures = string.Create(CultureInfo.InvariantCulture, $"Redis uses {Mb(used)} of maxmemory {Mb(max)} ({share:P0}, policy {policy})");
        return share > threshold
            ? HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                $"{figures}, above {threshold:P0}: delete finished runs (activesynth runs delete) or raise Redis:MaxMemory"), data: data)
            : HealthCheckResult.Healthy(figures, data);
    }

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.0} MB");
}
