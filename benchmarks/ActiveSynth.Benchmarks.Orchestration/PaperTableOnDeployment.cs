using System.Diagnostics;
using ActiveSynth.Cli;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>
/// The paper table (issue 18) produced by a deployment: starts the real AppHost (Redis and the four services, two replicas of each
/// worker kind) and runs <c>activesynth paper-table --server</c> against its Selection service with the given options, so the
/// report's <c>config.engine</c> is "services". The deployment is fresh each time; the table's cache of finished runs (outside the
/// deployment) is what lets a rerun skip them.
/// </summary>
internal static class PaperTableOnDeployment
{
    public const string Deployment = "real AppHost (DistributedApplicationTestingBuilder), redis-server executable, 2 replicas each of Scoring, Training and Teacher";

    public static async Task<int> RunAsync(string dataDir, string[] tableArgs)
    {
        await using var deployment = await ServiceSide.StartAsync(dataDir,
            "--Services:Scoring:Replicas=2", "--Services:Training:Replicas=2", "--Services:Teacher:Replicas=2");
        var server = deployment.SelectionAddress.ToString();
        Console.WriteLine($"deployment up; Selection at {server}, artifacts in {Path.Combine(dataDir, "artifacts")}");
        Environment.SetEnvironmentVariable("ACTIVESYNTH_DEPLOYMENT", Deployment);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ACTIVESYNTH_COMMIT")))
        {
            Environment.SetEnvironmentVariable("ACTIVESYNTH_COMMIT", await GitCommitAsync());
        }
        return await CliApp.RunAsync(["paper-table", "--server", server, .. tableArgs]);
    }

    /// <summary>The short commit of the working tree, "+dirty" when it has changes; empty when git is not there.</summary>
    private static async Task<string> GitCommitAsync()
    {
        try
        {
            var head = await GitAsync("rev-parse --short HEAD");
            var dirty = await GitAsync("status --porcelain --untracked-files=no");
            return head + (dirty.Length > 0 ? "+dirty" : "");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }

    private static async Task<string> GitAsync(string arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        return output.Trim();
    }
}
