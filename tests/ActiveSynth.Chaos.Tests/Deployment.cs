using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// The deployment's processes as Aspire sees them: which process serves a replica, kill -9 of it, and starting a stopped
/// or killed resource instance again through the AppHost's resource commands (what the dashboard's Start button does).
/// </summary>
public sealed class Deployment(DistributedApplication app, ResourceWatcher resources)
{
    private const string PidProperty = "executable.pid";
    private static readonly string[] AllResources = ["redis", .. ChaosFixture.Services];

    /// <summary>The service process of each instance of <paramref name="name"/> (not a launcher such as `dotnet run` around it).</summary>
    public IReadOnlyList<(string ResourceId, int Pid)> Processes(string name) =>
        [.. resources.Instances(name)
            .Where(e => e.Snapshot.State?.Text == KnownResourceStates.Running)
            .Select(e => (e.ResourceId, Pid: ServiceProcess(e, name)))
            .Where(p => p.Pid > 0)];

    /// <summary>The instance of <paramref name="name"/> whose process tree holds <paramref name="pid"/>, or null.</summary>
    public string? InstanceOf(string name, int pid) =>
        resources.Instances(name).FirstOrDefault(e => LauncherPid(e) is > 0 and var root && ProcessTree.WithDescendants(root).Contains(pid))?.ResourceId;

    /// <summary>SIGKILL (Process.Kill is kill -9 on Linux), then waits until the process is gone.</summary>
    public static async Task KillAsync(int pid)
    {
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (ProcessTree.IsAlive(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.False(ProcessTree.IsAlive(pid), $"process {pid} still alive 30 s after SIGKILL");
    }

    /// <summary>Waits until Aspire sees the instance stopped, then starts it through the resource command and waits until it is healthy.</summary>
    public async Task StartAsync(string resourceId, TimeSpan timeout)
    {
        await StartCommandAsync(resourceId);
        await WaitUntilAsync(resourceId, IsUp, timeout, "to run healthy");
    }

    /// <summary>
    /// Starts instances that were stopped together: every start command first, then the health waits (a kind's health check goes
    /// through the resource's proxy and can be routed to a sibling that is still stopped).
    /// </summary>
    public async Task StartAllAsync(IReadOnlyList<string> resourceIds, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(resourceIds);
        foreach (var id in resourceIds)
        {
            await StartCommandAsync(id);
        }
        foreach (var id in resourceIds)
        {
            await WaitUntilAsync(id, IsUp, timeout, "to run healthy");
        }
    }

    /// <summary>Waits until Aspire sees the instance stopped, then starts it through the resource command (without waiting for health).</summary>
    private async Task StartCommandAsync(string resourceId)
    {
        await WaitUntilAsync(resourceId, e => e.Snapshot.State?.Text != KnownResourceStates.Running, TimeSpan.FromSeconds(60), "to stop");
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand);
        Assert.True(result.Success, $"starting {resourceId} failed: {result.Message}");
    }

    /// <summary>
    /// Starts every instance that is not running (a killed replica, a stopped redis), then waits until all are healthy. All are
    /// started before any health wait: a kind's health check goes through the resource's proxy, which can route it to a replica
    /// that is still stopped, so waiting for one replica while its sibling is down can fail (seen when both Scoring replicas
    /// had been stopped).
    /// </summary>
    public async Task RestoreAsync(TimeSpan timeout)
    {
        foreach (var name in AllResources)
        {
            foreach (var instance in resources.Instances(name).Where(e => !IsUp(e)))
            {
                if (instance.Snapshot.State?.Text is { } state && state != KnownResourceStates.Running)
                {
                    await StartCommandAsync(instance.ResourceId);
                }
            }
        }
        await WaitAllRunningAsync(timeout);
    }

    public async Task WaitAllRunningAsync(TimeSpan timeout)
    {
        foreach (var name in AllResources)
        {
            foreach (var instance in resources.Instances(name))
            {
                await WaitUntilAsync(instance.ResourceId, IsUp, timeout, "to run healthy");
            }
        }
        Assert.All(ChaosFixture.Workers, w => Assert.Equal(2, resources.Instances(w).Count));
    }

    private async Task WaitUntilAsync(string resourceId, Func<ResourceEvent, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (resources.Instance(resourceId) is { } e && condition(e))
            {
                return;
            }
            await Task.Delay(100);
        }
        var last = resources.Instance(resourceId)?.Snapshot;
        Assert.Fail($"{resourceId} did not {what} within {timeout.TotalSeconds:0} s (state {last?.State?.Text}, health {last?.HealthStatus})");
    }

    private static bool IsUp(ResourceEvent e) =>
        e.Snapshot.State?.Text == KnownResourceStates.Running && (e.Snapshot.HealthStatus ?? HealthStatus.Healthy) == HealthStatus.Healthy;

    private static int LauncherPid(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value is { } value
        && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var pid) ? pid : 0;

    /// <summary>The deepest process in the instance's tree whose command line names the service (`dotnet run` starts it as a child).</summary>
    private static int ServiceProcess(ResourceEvent e, string name)
    {
        var root = LauncherPid(e);
        if (root <= 0)
        {
            return 0;
        }
        var marker = name == "redis" ? "redis-server" : $"ActiveSynth.{char.ToUpperInvariant(name[0])}{name[1..]}";
        return ProcessTree.WithDescendants(root).LastOrDefault(pid => ProcessTree.CommandLine(pid).Contains(marker, StringComparison.Ordinal));
    }
}
