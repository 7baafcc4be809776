using ActiveSynth.Cli;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>
/// The published strategy comparison, produced by the deployment: starts the real AppHost (Redis and the four services, two
/// replicas of each worker kind) and runs <c>activesynth compare --server</c> against its Selection service with the given
/// compare options, so the report's <c>config.engine</c> is "services".
/// </summary>
internal static class StrategiesOnDeployment
{
    public static async Task<int> RunAsync(string dataDir, string[] compareArgs)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromHours(3));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ActiveSynth_AppHost>(
        [
            "--Redis:Mode=executable",
            $"--Redis:DataDir={Path.Combine(dataDir, "redis")}",
            $"--Artifacts:Root={Path.Combine(dataDir, "artifacts")}",
            "--Selection:DefaultRun:Enabled=false",
            "--Services:Scoring:Replicas=2",
            "--Services:Training:Replicas=2",
            "--Services:Teacher:Replicas=2",
        ], cts.Token);
        await using var app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        foreach (var resource in new[] { "redis", "selection", "teacher", "scoring", "training" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
        }
        var server = app.GetEndpoint("selection", "grpc").ToString();
        Console.WriteLine($"deployment up; Selection at {server}, artifacts in {Path.Combine(dataDir, "artifacts")}");
        return await CliApp.RunAsync(["compare", "--server", server, .. compareArgs]);
    }
}
