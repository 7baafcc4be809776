using ActiveSynth.Testing;
using System.Net;
using Aspire.Hosting.Testing;
using Xunit.Abstractions;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// Every port the deployment's processes listen on (the services' gRPC endpoints, redis-server) is bound to loopback: the
/// addresses clients are given name localhost, the sockets the processes hold are on 127.0.0.1 or ::1, and connecting to the
/// machine's own non-loopback address on any of those ports is refused.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class LoopbackBindTests(LoadAppHostFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_service_endpoint_and_redis_listen_on_loopback_only()
    {
        var published = new Dictionary<string, Uri>();
        foreach (var service in LoadAppHostFixture.Services)
        {
            published[service] = fixture.App.GetEndpoint(service, "grpc");
        }
        published["redis"] = fixture.App.GetEndpoint("redis", "tcp");
        foreach (var (name, uri) in published)
        {
            output.WriteLine($"{name}: {uri}");
            Assert.True(uri.Host is "localhost" or "127.0.0.1" or "[::1]", $"{name}'s endpoint is {uri}, not on loopback");
        }

        var processes = ProcessTree.Marked(fixture.DataDir);
        var listeners = ListeningSockets.Of(processes);
        foreach (var l in listeners)
        {
            output.WriteLine($"pid {l.Pid} listens on {l.Address}:{l.Port} ({Name(l.Process)})");
        }
        foreach (var expected in new[] { "redis-server", "ActiveSynth.Selection", "ActiveSynth.Teacher", "ActiveSynth.Scoring", "ActiveSynth.Training" })
        {
            Assert.True(listeners.Any(l => l.Process.Contains(expected, StringComparison.Ordinal)),
                $"found no listening socket of {expected} among {processes.Count} processes of the deployment: the check would prove nothing");
        }
        Assert.All(listeners, l => Assert.True(IPAddress.IsLoopback(l.Address), $"{Name(l.Process)} (pid {l.Pid}) listens on {l.Address}:{l.Port}, not loopback"));

        var outside = ListeningSockets.NonLoopbackIPv4();
        output.WriteLine($"non-loopback IPv4 addresses of this machine: {string.Join(", ", outside)}");
        Assert.True(outside.Count > 0, "this machine has no non-loopback IPv4 address to connect from: the refusal half of the check cannot run");
        var ports = listeners.Select(l => l.Port).Concat(published.Values.Select(u => u.Port)).Distinct().ToList();
        var accepted = new List<string>();
        foreach (var address in outside)
        {
            foreach (var port in ports)
            {
                if (await ListeningSockets.AcceptsAsync(address, port))
                {
                    accepted.Add($"{address}:{port}");
                }
            }
        }
        Assert.True(accepted.Count == 0, $"reachable from outside loopback: {string.Join(", ", accepted)}");
        // The control: the same ports do accept on loopback, so the refusals above are not a broken probe.
        Assert.True(await ListeningSockets.AcceptsAsync(IPAddress.Loopback, published["selection"].Port), "the probe cannot even reach Selection on loopback");
    }

    private static string Name(string commandLine) =>
        commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFileName).FirstOrDefault(p => p is not null && (p.StartsWith("ActiveSynth.", StringComparison.Ordinal) || p == "redis-server"))
        ?? commandLine[..Math.Min(80, commandLine.Length)];
}
