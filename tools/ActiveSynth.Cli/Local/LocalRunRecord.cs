using System.Text;
using System.Text.Json;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Reports;

namespace ActiveSynth.Cli.Local;

/// <summary>
/// What an in-process run keeps under <c>runs/&lt;id&gt;/</c> next to the loop's state (state.json): the spec it runs, its test set,
/// stage times, checkpoints and evaluation seconds (run.json): what the Selection service keeps in Redis for a deployment's runs.
/// </summary>
public sealed class LocalRunRecord
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public required RunSpec Spec { get; init; }

    public required LoopState State { get; init; }

    public required ArtifactInfo TestSet { get; init; }

    public required Meta Data { get; init; }

    public Dictionary<int, double> EvalSeconds => Data.EvalSeconds;

    public static string StatePath(string runId) => $"runs/{runId}/state.json";

    private static string MetaPath(string runId) => $"runs/{runId}/run.json";

    /// <summary>The run's saved record, or a new one with its seed pool and test set built from the plan.</summary>
    public static async Task<LocalRunRecord> LoadOrCreateAsync(ArtifactStore artifacts, string runId, RunPlan plan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        ArgumentNullException.ThrowIfNull(plan);
        if (File.Exists(artifacts.Resolve(StatePath(runId))) && File.Exists(artifacts.Resolve(MetaPath(runId))))
        {
            var state = LoopStateJson.Deserialize(await File.ReadAllTextAsync(artifacts.Resolve(StatePath(runId)), ct).ConfigureAwait(false));
            var meta = JsonSerializer.Deserialize<Meta>(await File.ReadAllTextAsync(artifacts.Resolve(MetaPath(runId)), ct).ConfigureAwait(false), Json)
                ?? throw new InvalidOperationException($"{MetaPath(runId)} is empty");
            return new LocalRunRecord { Spec = plan.Spec, State = state, TestSet = meta.TestSet, Data = meta };
        }
        var (seeds, test) = plan.BuildTaskSets(artifacts);
        var testSet = await RunArtifacts.WriteTestSetAsync(artifacts, runId, test, ct).ConfigureAwait(false);
        return new LocalRunRecord
        {
            Spec = plan.Spec,
            State = new LoopState { RunId = runId, Seeds = [.. seeds] },
            TestSet = testSet,
            Data = new Meta { TestSet = testSet, TestItems = test.Count },
        };
    }

    /// <summary>Saves state.json and run.json (each written atomically).</summary>
    public async Task SaveAsync(ArtifactStore artifacts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        await WriteAsync(artifacts, StatePath(State.RunId), LoopStateJson.Serialize(State), ct).ConfigureAwait(false);
        await WriteAsync(artifacts, MetaPath(State.RunId), JsonSerializer.Serialize(Data, Json), ct).ConfigureAwait(false);
    }

    public ReportInput ReportInput() => RunReports.Input(Spec, State, Data.StageTimes, Data.Checkpoints, Data.FinishedAt);

    private static Task WriteAsync(ArtifactStore artifacts, string path, string text, CancellationToken ct) =>
        artifacts.WriteAsync(path, (stream, token) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), token).AsTask(), ct);

    /// <summary>The run.json part of the record.</summary>
    public sealed class Meta
    {
        public required ArtifactInfo TestSet { get; init; }

        public int TestItems { get; init; }

        public List<StageTime> StageTimes { get; init; } = [];

        public Dictionary<int, CheckpointHandle> Checkpoints { get; init; } = [];

        public Dictionary<int, double> EvalSeconds { get; init; } = [];

        public DateTimeOffset? FinishedAt { get; set; }

        public ReportArtifacts? Report { get; set; }
    }
}
