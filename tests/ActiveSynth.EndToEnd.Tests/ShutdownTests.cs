using ActiveSynth.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// `dotnet run --project ActiveSynth.AppHost`, then Ctrl+C (SIGINT to the AppHost, as a terminal sends it):
/// nothing it started (redis-server, the services, DCP, the dashboard) may be left running, and its local deployment file,
/// there while it ran, is gone.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ShutdownTests(ITestOutputHelper output)
{
    private static readonly string[] Expected =
        ["redis-server", "ActiveSynth.Selection", "ActiveSynth.Teacher", "ActiveSynth.Scoring", "ActiveSynth.Training"];

    /// <param name="sigintIgnored">Started as under nohup or as a background job of a non-interactive shell: SIGINT ignored from the start.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ctrl_c_leaves_no_redis_server_or_service_process_behind(bool sigintIgnored)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"activesynth-shutdown-{Guid.NewGuid():N}");
        using var process = Process.Start(StartInfo(dataDir, sigintIgnored))!;
        var log = new StringWriter();
        process.OutputDataReceived += (_, e) => log.WriteLine(e.Data);
        process.ErrorDataReceived += (_, e) => log.WriteLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var started = Stopwatch.StartNew();
            var tree = await WaitForAsync(() => AllStarted(dataDir), TimeSpan.FromMinutes(3));
            Assert.True(tree is not null, $"not everything started within 3 minutes:\n{log}");
            output.WriteLine($"redis-server and the four services running {started.Elapsed.TotalSeconds:0.0} s after dotnet run");
            // The local deployment file (what the command line finds without --server) is there while the AppHost runs...
            var deploymentFile = Path.Combine(dataDir, "state", "local-deployment.json");
            Assert.True(File.Exists(deploymentFile), $"no {deploymentFile} while the AppHost runs:\n{log}");
            Assert.Contains("[activesynth] Selection (Runs API, gRPC): http://", log.ToString(), StringComparison.Ordinal);

            var appHost = tree.Single(p => p.Value.Contains("bin/Debug/net10.0/ActiveSynth.AppHost", StringComparison.Ordinal)
                                            || (p.Value.Contains("ActiveSynth.AppHost", StringComparison.Ordinal) && !p.Value.Contains(" run ", StringComparison.Ordinal)));
            await PosixSignals.SendAsync(appHost.Key, "INT");
            var stopping = Stopwatch.StartNew();
            var leftovers = await WaitForAsync(() => tree.Where(p => ProcessTree.IsAlive(p.Key)).ToList() is { Count: 0 } ? tree : null, TimeSpan.FromSeconds(90));
            output.WriteLine($"all {tree.Count} processes gone {stopping.Elapsed.TotalSeconds:0.0} s after SIGINT");
            Assert.True(leftovers is not null,
                "still running 90 s after Ctrl+C: " + string.Join("; ", tree.Where(p => ProcessTree.IsAlive(p.Key)).Select(p => $"{p.Key} {p.Value}")));
            // ...and gone once it stopped: nothing points the command line at a deployment that is not there.
            Assert.False(File.Exists(deploymentFile), $"{deploymentFile} left behind after Ctrl+C");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            TryDelete(dataDir);
        }
    }

    private static ProcessStartInfo StartInfo(string dataDir, bool sigintIgnored)
    {
        string[] run =
        [
            "dotnet", "run", "--project", Projects.ActiveSynth_AppHost.ProjectPath, "--no-build", "--no-launch-profile", "--",
            "--Redis:Mode=executable", $"--Redis:DataDir={Path.Combine(dataDir, "redis")}", $"--Artifacts:Root={Path.Combine(dataDir, "artifacts")}",
            $"--ActiveSynth:StateDir={Path.Combine(dataDir, "state")}",
        ];
        // `trap '' INT` then exec: the disposition a shell gives a background job, inherited by dotnet run and the AppHost.
        var start = sigintIgnored
            ? new ProcessStartInfo("bash") { ArgumentList = { "-c", "trap '' INT; exec \"$@\"", "bash" } }
            : new ProcessStartInfo(run[0]);
        foreach (var arg in sigintIgnored ? run : run[1..])
        {
            start.ArgumentList.Add(arg);
        }
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // The launch profile's fixed dashboard ports could be taken by a developer's own AppHost: use free ones.
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        return start;
    }

    private static IReadOnlyDictionary<int, string>? AllStarted(string dataDir)
    {
        var tree = ProcessTree.Marked(dataDir);
        return Expected.All(name => tree.Values.Any(cmd => cmd.Contains(name, StringComparison.Ordinal))) ? tree : null;
    }

    private static async Task<T?> WaitForAsync<T>(Func<T?> probe, TimeSpan timeout) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } result)
            {
                return result;
            }
            await Task.Delay(500);
        }
        return probe();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
