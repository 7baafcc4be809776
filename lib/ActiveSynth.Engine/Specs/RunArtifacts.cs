using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Tasks;
using Google.Protobuf;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>A run's files and bookkeeping that both transports keep the same way.</summary>
public static class RunArtifacts
{
    /// <summary>Writes the held-out set as SeedItem JSON lines to <c>runs/&lt;id&gt;/test.jsonl</c>, where every Training worker reads it.</summary>
    public static async Task<ArtifactInfo> WriteTestSetAsync(ArtifactStore artifacts, string runId, IReadOnlyList<TaskItem> test, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        var path = $"runs/{runId}/test.jsonl";
        var sha = await artifacts.WriteAsync(path, async (stream, token) =>
        {
            await using var writer = new StreamWriter(stream, leaveOpen: true);
            foreach (var item in test)
            {
                await writer.WriteLineAsync(JsonFormatter.Default.Format(item.ToContract()).AsMemory(), token).ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false);
        return new ArtifactInfo(path, sha, new FileInfo(artifacts.Resolve(path)).Length, "application/jsonl");
    }

    /// <summary>
    /// The report's stage times for a completed loop stage: a Train stage's wall time includes the round's evaluation, which is
    /// reported as its own EVALUATE entry (<paramref name="evalSeconds"/> from the TrainOutcome).
    /// </summary>
    public static IReadOnlyList<StageTime> StageTimes(LoopStage stage, int round, TimeSpan duration, IReadOnlyDictionary<int, double> evalSeconds)
    {
        ArgumentNullException.ThrowIfNull(evalSeconds);
        var seconds = duration.TotalSeconds;
        switch (stage)
        {
            case LoopStage.Evaluate0:
                return [new StageTime(0, "EVALUATE", seconds)];
            case LoopStage.Score:
                return [new StageTime(round, "SCORE", seconds)];
            case LoopStage.Generate:
                return [new StageTime(round, "GENERATE", seconds)];
            case LoopStage.Train:
                var eval = Math.Min(evalSeconds.GetValueOrDefault(round), seconds);
                return [new StageTime(round, "TRAIN", seconds - eval), new StageTime(round, "EVALUATE", eval)];
            default:
                return [];
        }
    }
}
