using System.Globalization;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using CoreSignals = ActiveSynth.Core.Selection.SignalKind;

namespace ActiveSynth.Engine;

/// <summary>The teacher's ratings for the judge and reward strategies, asked for in the score stage.</summary>
public sealed partial class RequestLoopWorkers
{
    /// <summary>Signals the teacher gives (as a judge), not the student.</summary>
    private const CoreSignals JudgedSignals = CoreSignals.JudgeDifficulty | CoreSignals.Reward;

    /// <summary>How often a judge chunk with a failed rating is asked for.</summary>
    private const int JudgeAttempts = 3;

    /// <summary>
    /// Rates the round's candidates in chunks (the generation chunk size, as many in flight as generation allows), each under its
    /// own key so a resumed run asks only for what is missing: the difficulty of each question (judge-hard, lion), and the
    /// correctness of the student's own answer as its reward (reward-low). Every rating's teacher usage is returned as spent.
    /// </summary>
    private async Task<ScoreOutcome> JudgeAsync(int round, IReadOnlyList<TaskItem> items, IReadOnlyList<CandidateSignals> signals,
        IReadOnlyDictionary<string, string> answers, CoreSignals judged, CancellationToken ct)
    {
        var kind = (judged & CoreSignals.Reward) != 0 ? JudgeKind.Answer : JudgeKind.Difficulty;
        if (judged == JudgedSignals)
        {
            throw new WorkerFailedException("a strategy can use the judge's difficulty or a reward, not both in one round");
        }
        var chunkSize = Math.Max(1, run.Plan.Loop.GenerationChunkSize);
        var chunks = items.Chunk(chunkSize).Select((chunk, index) => (Chunk: chunk, First: index * chunkSize)).ToList();
        using var gate = new SemaphoreSlim(Math.Max(1, run.Plan.Loop.GenerationParallelism / chunkSize));
        var responses = await Task.WhenAll(chunks.Select(async c =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await JudgeChunkAsync(round, c.Chunk, c.First, kind, answers, ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);

        var ratings = responses.SelectMany(r => r.Ratings).ToDictionary(r => r.ItemId, r => r.Score, StringComparer.Ordinal);
        var spent = responses.Aggregate(BudgetAmount.Zero, (sum, r) => sum + r.Spent);
        var rated = signals.Select(s => ratings.TryGetValue(s.Id, out var score)
            ? kind == JudgeKind.Answer ? s with { Reward = score } : s with { JudgeDifficulty = score }
            : throw new WorkerFailedException($"the judge returned no rating for item '{s.Id}'")).ToList();
        return new ScoreOutcome(rated, spent);
    }

    private async Task<(IReadOnlyList<JudgeRating> Ratings, BudgetAmount Spent)> JudgeChunkAsync(int round, IReadOnlyList<TaskItem> chunk,
        int first, JudgeKind kind, IReadOnlyDictionary<string, string> answers, CancellationToken ct)
    {
        var last = first + chunk.Count - 1;
        var requestId = string.Create(CultureInfo.InvariantCulture, $"{first}-{last}");
        var request = new JudgeRequest { RunId = run.RunId, Round = round, RequestId = requestId, Kind = kind, Teacher = run.Teacher };
        request.Items.AddRange(chunk.Select(item => new JudgeItem
        {
            Item = item.ToContract(),
            StudentAnswer = kind == JudgeKind.Answer ? answers.GetValueOrDefault(item.Id, "") : "",
        }));
        // A rating the teacher could not give (its endpoint still failing after the pipeline's retries) fails the chunk; the chunk
        // is asked again under a new key, and the ratings given before come from the teacher's response cache at no cost.
        JudgeResponse response = null!;
        var spent = BudgetAmount.Zero;
        for (var attempt = 1; attempt <= JudgeAttempts; attempt++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{run.RunId}/{round}/judge/{requestId}{(attempt == 1 ? "" : $"#{attempt}")}");
            response = await transport.RequestAsync<JudgeRequest, JudgeResponse>(WorkKind.Judge, key, request, ct).ConfigureAwait(false);
            spent += response.Usage.ToBudget(); // failed attempts were paid for too
            if (string.IsNullOrEmpty(response.Failure))
            {
                break;
            }
        }
        Check(response.Failure, $"judging (after {JudgeAttempts} attempts)");
        return ([.. response.Ratings], spent);
    }
}
