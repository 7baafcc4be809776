using System.Text;
using System.Text.Json;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using Google.Protobuf;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Runs;

/// <summary>
/// Runs kept as files in the artifact store, next to their reports under <c>runs/&lt;id&gt;/</c>: the loop's state
/// (<c>state.json</c>, <see cref="LoopStateJson"/>), the metadata (<c>run.json</c>) and the spec (<c>spec.json</c>, protobuf
/// JSON), each written atomically. The store of a run in one process (the CLI's <c>run --local</c>): it keeps no event log
/// (such a run's progress goes to its console), has nothing transient to release, and is never unavailable.
/// </summary>
public sealed class FileRunStore(ArtifactStore artifacts) : IRunStore
{
    private static readonly JsonSerializerOptions MetaJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly JsonParser SpecParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static string StatePath(string runId) => $"runs/{runId}/state.json";

    public static string MetaPath(string runId) => $"runs/{runId}/run.json";

    public static string SpecPath(string runId) => $"runs/{runId}/spec.json";

    public async Task<bool> CreateAsync(StoredRun run, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (File.Exists(artifacts.Resolve(StatePath(run.Id))))
        {
            return false;
        }
        await SaveSpecAsync(run.Id, run.Spec, ct).ConfigureAwait(false);
        await SaveAsync(run.State, run.Meta, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The run, when its state and metadata are stored; its spec is empty when it was stored without one (a command that
    /// continues such a run saves its own first).
    /// </summary>
    public async Task<StoredRun?> GetAsync(string runId, CancellationToken ct = default)
    {
        var (statePath, metaPath, specPath) = (artifacts.Resolve(StatePath(runId)), artifacts.Resolve(MetaPath(runId)), artifacts.Resolve(SpecPath(runId)));
        if (!File.Exists(statePath) || !File.Exists(metaPath))
        {
            return null;
        }
        var state = LoopStateJson.Deserialize(await File.ReadAllTextAsync(statePath, ct).ConfigureAwait(false));
        var meta = JsonSerializer.Deserialize<RunMeta>(await File.ReadAllTextAsync(metaPath, ct).ConfigureAwait(false), MetaJson)
            ?? throw new InvalidDataException($"{MetaPath(runId)} is empty");
        var spec = File.Exists(specPath) ? SpecParser.Parse<RunSpec>(await File.ReadAllTextAsync(specPath, ct).ConfigureAwait(false)) : new RunSpec();
        return new StoredRun(runId, spec, state, meta);
    }

    /// <summary>Writes state.json, then run.json.</summary>
    public async Task SaveAsync(LoopState state, RunMeta meta, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(meta);
        meta.UpdatedAt = DateTimeOffset.UtcNow;
        await WriteAsync(StatePath(state.RunId), LoopStateJson.Serialize(state), ct).ConfigureAwait(false);
        await WriteAsync(MetaPath(state.RunId), JsonSerializer.Serialize(meta, MetaJson), ct).ConfigureAwait(false);
    }

    public Task SaveSpecAsync(string runId, RunSpec spec, CancellationToken ct = default) =>
        WriteAsync(SpecPath(runId), JsonFormatter.Default.Format(spec), ct);

    /// <summary>Keeps nothing: a run in one process is watched on its console.</summary>
    public Task AppendEventAsync(RunEvent @event, CancellationToken ct = default) => Task.CompletedTask;

    public Task ReleaseAsync(StoredRun run, CancellationToken ct = default) => Task.CompletedTask;

    public bool IsUnavailable(Exception error) => false;

    public Task WaitUntilAvailableAsync(CancellationToken ct) => Task.CompletedTask;

    private Task WriteAsync(string path, string text, CancellationToken ct) =>
        artifacts.WriteAsync(path, (stream, token) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), token).AsTask(), ct);
}
