using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActiveSynth.Testing;

namespace ActiveSynth.Benchmarks.Messaging;

/// <summary>redis-benchmark XADD against the same server: the ceiling our pipeline is compared with.</summary>
internal static partial class RawXaddBaseline
{
    public sealed record Result(string Command, double RequestsPerSecond, double? P50Ms, string Output);

    public static async Task<Result> RunAsync(RedisServerProcess server, int requests, int clients, int payloadBytes)
    {
        var executable = Find(server);
        var payload = new string('x', payloadBytes);
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "-h", "127.0.0.1", "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-a", server.Password,
            "-n", requests.ToString(CultureInfo.InvariantCulture), "-c", clients.ToString(CultureInfo.InvariantCulture), "-q",
            "XADD", "bench:raw", "*", "payload", payload,
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-benchmark did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = (await stdout) + (await stderr);
        // With -q the last line reads "XADD ...: 51234.57 requests per second, p50=0.047 msec".
        var rps = RequestsPerSecond().Matches(output);
        if (process.ExitCode != 0 || rps.Count == 0)
        {
            throw new InvalidOperationException($"redis-benchmark failed ({process.ExitCode}): {output}");
        }
        var p50 = P50().Match(output);
        var command = $"redis-benchmark -p {server.Port} -a *** -n {requests} -c {clients} -q XADD bench:raw '*' payload <{payloadBytes} bytes>";
        return new Result(command,
            double.Parse(rps[^1].Groups[1].Value, CultureInfo.InvariantCulture),
            p50.Success ? double.Parse(p50.Groups[1].Value, CultureInfo.InvariantCulture) : null,
            SummaryLine(output).Replace(payload, $"<{payloadBytes} bytes>", StringComparison.Ordinal));
    }

    /// <summary>redis-benchmark redraws a progress line with \r; only its final summary is worth keeping.</summary>
    private static string SummaryLine(string output) =>
        output.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Last(line => line.Contains("requests per second", StringComparison.Ordinal));

    private static string Find(RedisServerProcess server)
    {
        var besideServer = Path.Combine(Path.GetDirectoryName(server.Executable)!, "redis-benchmark");
        if (File.Exists(besideServer))
        {
            return besideServer;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "redis-benchmark");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"redis-benchmark not found next to {server.Executable} or on PATH");
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?) requests per second")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"p50=([0-9]+(?:\.[0-9]+)?) msec")]
    private static partial Regex P50();
}
