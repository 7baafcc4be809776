using ActiveSynth.Cli;

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
        await using var deployment = await ServiceSide.StartAsync(dataDir,
            "--Services:Scoring:Replicas=2", "--Services:Training:Replicas=2", "--Services:Teacher:Replicas=2");
        var server = deployment.SelectionAddress.ToString();
        Console.WriteLine($"deployment up; Selection at {server}, artifacts in {Path.Combine(dataDir, "artifacts")}");
        return await CliApp.RunAsync(["compare", "--server", server, .. compareArgs]);
    }
}
