using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using ActiveSynth.Cli.Commands;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using Google.Protobuf;

namespace ActiveSynth.Cli.Compare;

/// <summary>
/// One run of a comparison in its own process (`activesynth run --local`): libtorch state is per process, so
/// parallel runs cannot disturb each other, and a crash costs one run, not the comparison. A run whose state
/// says Completed is reused, so an interrupted comparison resumes where it stopped.
/// </summary>
public static class ChildRun
{
    public static async Task<LoopState> RunAsync(LocalRunSettings settings, string runId, RunSpec spec, CancellationToken ct)
    {
        var statePath = Path.Combine(settings.Artifacts, "runs", runId, "state.json");
        if (await TryLoadCompletedAsync(statePath, ct) is { } done)
        {
            return done;
        }
        if (Directory.Exists(Path.GetDirectoryName(statePath)))
        {
            Directory.Delete(Path.GetDirectoryName(statePath)!, recursive: true); // an unfinished earlier attempt: start clean
        }

        var specPath = Path.Combine(settings.Artifacts, "specs", $"{runId}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(specPath)!);
        await File.WriteAllTextAsync(specPath, JsonFormatter.Default.Format(spec), ct);
        using var process = Process.Start(StartInfo(settings, runId, specPath))
            ?? throw new InvalidOperationException("could not start a child run");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C on compare: the child must not outlive it. Its state.json keeps what it finished.
            process.Kill(entireProcessTree: true);
            throw;
        }
        var state = File.Exists(statePath) ? LoopStateJson.Deserialize(await File.ReadAllTextAsync(statePath, ct)) : null;
        if (state is null)
        {
            throw new InvalidOperationException($"run {runId} exited with {process.ExitCode} and left no state: {Tail(await output + await error)}");
        }
        if (state.Status != RunStatus.Completed && string.IsNullOrEmpty(state.FailureReason))
        {
            state.FailureReason = $"exit code {process.ExitCode}: {Tail(await error)}";
        }
        return state;
    }

    private static async Task<LoopState?> TryLoadCompletedAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var state = LoopStateJson.Deserialize(await File.ReadAllTextAsync(path, ct));
        return state.Status == RunStatus.Completed ? state : null;
    }

    private static ProcessStartInfo StartInfo(LocalRunSettings s, string runId, string specPath)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // `dotnet activesynth.dll …` runs through the host; an apphost or a dotnet tool runs directly.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildRun).Assembly.Location); // not the entry assembly: under a test host that is the host
        }
        // The spec is complete: the child takes only the engine's settings besides it.
        string[] args =
        [
            "run", "--local", "--run-id", runId, "--spec", specPath,
            "--artifacts", s.Artifacts, "--threads", I(s.Threads), "--base-steps", I(s.BaseSteps),
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        if (!string.IsNullOrWhiteSpace(s.HfModel) || s.ModelsRoot is not null)
        {
            start.ArgumentList.Add("--models-root");
            start.ArgumentList.Add(s.ModelsRoot ?? s.Artifacts);
        }
        return start;
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
