using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student;

namespace ActiveSynth.Cli.Local;

/// <summary>Runs one spec through <see cref="ActiveLoop"/> in this process and saves its state under the artifact root.</summary>
public sealed class LocalRunner(ArtifactStore artifacts, StudentDeviceOptions device)
{
    public async Task<RunState> RunAsync(LocalRunConfig config, IRunObserver progress, CancellationToken ct)
    {
        var errors = config.LoopSettings.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
        var strategy = StrategyRegistry.Create(config.Strategy, config.StrategyOptions);
        var registry = TaskFamilyRegistry.Default;
        var families = config.Families.Select(registry.Get).ToList();
        var seeds = TaskSetGenerator.Generate(families, config.MinDifficulty, config.MaxDifficulty, config.SeedPoolSize, unchecked((int)config.Seed), "seed");
        var testSet = TaskSetGenerator.Generate(families, config.MinDifficulty, config.MaxDifficulty, config.TestSetSize, unchecked((int)config.Seed) + 1, "test",
            seeds.Select(s => s.Question).ToHashSet(StringComparer.Ordinal));

        using var workers = new LocalWorkers(config, artifacts, testSet, registry, TorchRuntime.ResolveDevice(device));
        var state = new RunState { RunId = config.RunId, Seeds = [.. seeds] };
        var store = new FileRunStore(artifacts, progress);
        await new ActiveLoop(config.LoopSettings, strategy, workers, store).RunAsync(state, ct);
        return state;
    }

    /// <summary>Saves the state as runs/&lt;id&gt;/state.json after every stage, then tells the progress observer.</summary>
    private sealed class FileRunStore(ArtifactStore artifacts, IRunObserver progress) : IRunObserver
    {
        public async Task SaveAsync(RunState state, CancellationToken ct)
        {
            var json = RunStateJson.Serialize(state);
            await artifacts.WriteAsync($"runs/{state.RunId}/state.json", (s, c) => s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json), c).AsTask(), ct);
            await progress.SaveAsync(state, ct);
        }

        public Task StageCompletedAsync(RunState state, LoopStage stage, TimeSpan duration, CancellationToken ct) =>
            progress.StageCompletedAsync(state, stage, duration, ct);

        public Task CurvePointAsync(RunState state, CurvePoint point, CancellationToken ct) => progress.CurvePointAsync(state, point, ct);
    }
}
