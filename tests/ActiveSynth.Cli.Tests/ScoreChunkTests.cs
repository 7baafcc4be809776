using ActiveSynth.Cli.Local;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// A round's scoring travels in chunks (Selection:ScoreChunkSize) that every Scoring replica serves; the strategy computes over the
/// chunks' signals joined in item order. With chunks that are whole scorer batches (Scoring:BatchSize), the signals are the ones
/// one request gives, bit for bit, so the picks of a scalar strategy (loss-high) and of a vector one (badge: gradient embeddings)
/// are the same as with the whole pool in one request.
/// </summary>
public sealed class ScoreChunkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-score-chunks-").FullName;

    [Theory]
    [InlineData("loss-high")]
    [InlineData("badge")]
    public async Task Chunked_scoring_gives_the_picks_of_one_request(string strategy)
    {
        var spec = EmbeddedRecipe.Spec(strategy, randomSeed: 5309, samplesPerRound: 8, maxRounds: 2, seedPoolSize: 60, testSetSize: 12);
        spec.Training.Steps = 3;

        var (whole, wholeKeys) = await PicksAsync($"whole-{strategy}", spec, scoreChunkSize: 256);
        var (chunked, chunkedKeys) = await PicksAsync($"chunked-{strategy}", spec, scoreChunkSize: 16);

        Assert.Equal([$"whole-{strategy}/1/score", $"whole-{strategy}/2/score"], wholeKeys);
        // 60 seeds: chunks of 16, 16, 16 and 12 a round.
        Assert.Equal([.. new[] { 1, 2 }.SelectMany(r => new[] { "0-15", "16-31", "32-47", "48-59" }.Select(c => $"chunked-{strategy}/{r}/score/by-length/{c}"))],
            chunkedKeys);
        Assert.Equal([1, 2], whole.Keys.Order());
        Assert.Equal(whole, chunked);
    }

    private async Task<(Dictionary<int, string> Picks, List<string> ScoreKeys)> PicksAsync(string runId, Contracts.V1.RunSpec spec, int scoreChunkSize)
    {
        using var engine = new InProcessEngine(_dir,
        [
            new("Student:Threads", "1"),
            new("Training:BaseSteps", "40"),
            new("Scoring:BatchSize", "16"),
            new("Selection:ScoreChunkSize", scoreChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        var picks = new PickRecorder();
        var state = await engine.RunAsync(runId, spec, picks, CancellationToken.None);
        Assert.True(state.Status == RunStatus.Completed, state.FailureReason);
        return (picks.ByRound, [.. engine.Transport.AnsweredKeys.Where(k => k.Contains("/score", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Each round's picks, in pick order, with their scores.</summary>
    private sealed class PickRecorder : IRunObserver
    {
        public Dictionary<int, string> ByRound { get; } = [];

        public Task SaveAsync(LoopState state, CancellationToken ct) => Task.CompletedTask;

        public Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct)
        {
            if (stage == LoopStage.Score)
            {
                ByRound[state.Round] = string.Join(" ", state.Picks.Select(p => $"{p.Id}:{p.Score:R}"));
            }
            return Task.CompletedTask;
        }

        public Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct) => Task.CompletedTask;
    }
}
