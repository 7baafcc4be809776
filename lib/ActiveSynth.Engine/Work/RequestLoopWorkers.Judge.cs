using System.Globalization;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Work;

/// <summary>The teacher's ratings for the judge and reward strategies, asked for in the score stage.</summary>
public sealed partial class RequestLoopWorkers
{
    /// <summary>How often a judge chunk with a failed rating is asked for.</summary>
    private const int JudgeAttempts = 3;

    /// <summary>
    /// Rates the round's items in chunks (the generation chunk size, as many in flight as generation allows), each under its own
    /// key so a resumed run asks only for what is missing: the difficulty of each question (judge-hard, lion), and the
    /// correctness of the student's own answer as its reward (reward-low). Each chunk reserves its ratings from
    /// <paramref name="allowance"/> before it goes and settles what they cost when it returns; when the budget cannot take a whole
    /// chunk, a smaller one goes, and once it cannot take one more rating the items left stay unrated (left out of the signals).
    /// Every rating's teacher usage is returned as spent.
    /// </summary>
    private async Task<ScoreOutcome> JudgeAsync(int round, IReadOnlyList<TaskItem> items, IReadOnlyList<CandidateSignals> signals,
        IReadOnlyDictionary<string, string> answers, SignalNeeds judged, ISpendingAllowance allowance, CancellationToken ct)
    {
        var kind = (judged & SignalNeeds.Reward) != 0 ? JudgeKind.Answer : JudgeKind.Difficulty;
        if (judged == SignalNeedsExtensions.Judged)
        {
            throw new WorkerFailedException("a strategy can use the judge's difficulty or a reward, not both in one round");
        }
        var unit = run.Plan.Loop.JudgeReservation;
        var chunkSize = Math.Max(1, run.Plan.Loop.GenerationChunkSize);
        using var gate = new SemaphoreSlim(Math.Max(1, run.Plan.Loop.GenerationParallelism / chunkSize));
        var inFlight = new List<Task<JudgeChunkOutcome>>();
        var asked = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            for (var first = 0; first < items.Count;)
            {
                var wanted = Math.Min(chunkSize, items.Count - first);
                await gate.WaitAsync(ct).ConfigureAwait(false);
                var count = allowance.Reserve(unit, wanted);
                if (count < wanted && inFlight.Count > 0)
                {
                    // Chunks in flight hold reservations above what they will cost: let them settle, then ask again.
                    allowance.Settle(unit.Times(count), BudgetAmount.Zero);
                    await Task.WhenAll(inFlight).ConfigureAwait(false);
                    count = allowance.Reserve(unit, wanted);
                }
                if (count == 0)
                {
                    gate.Release();
                    break; // the budget cannot take one more rating: the items from here on stay unrated
                }
                var chunk = items.Skip(first).Take(count).ToList();
                asked.UnionWith(chunk.Select(i => i.Id));
                inFlight.Add(RateChunkAsync(round, chunk, first, kind, answers, unit.Times(count), allowance, gate, ct));
                first += count;
            }
        }
        finally
        {
            // Whatever happens to the loop above, the chunks already sent are paid for; wait for their settlements.
            await Task.WhenAll(inFlight.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        }
        var responses = await Task.WhenAll(inFlight).ConfigureAwait(false);

        var ratings = responses.SelectMany(r => r.Ratings).ToDictionary(r => r.ItemId, r => r.Score, StringComparer.Ordinal);
        var spent = responses.Aggregate(BudgetAmount.Zero, (sum, r) => sum + r.Spent);
        var billed = responses.Aggregate(TeacherBilling.Zero, (sum, r) => sum + r.Billed);
        var result = signals.Where(s => asked.Contains(s.Id)).Select(s => ratings.TryGetValue(s.Id, out var score)
            ? kind == JudgeKind.Answer ? s with { Reward = score } : s with { JudgeDifficulty = score }
            : throw new WorkerFailedException($"the judge returned no rating for item '{s.Id}'")).ToList();
        return new ScoreOutcome(result, spent, billed);
    }

    /// <summary>A judge chunk's ratings, what they cost (budget) and what the endpoint billed for them over every attempt.</summary>
    private sealed record JudgeChunkOutcome(IReadOnlyList<JudgeRating> Ratings, BudgetAmount Spent, TeacherBilling Billed);

    private async Task<JudgeChunkOutcome> RateChunkAsync(int round, IReadOnlyList<TaskItem> chunk,
        int first, JudgeKind kind, IReadOnlyDictionary<string, string> answers, BudgetAmount reserved, ISpendingAllowance allowance,
        SemaphoreSlim gate, CancellationToken ct)
    {
        var spent = BudgetAmount.Zero;
        try
        {
            var response = await JudgeChunkAsync(round, chunk, first, kind, answers, ct).ConfigureAwait(false);
            spent = response.Spent;
            return response;
        }
        finally
        {
            allowance.Settle(reserved, spent);
            gate.Release();
        }
    }

    private async Task<JudgeChunkOutcome> JudgeChunkAsync(int round, IReadOnlyList<TaskItem> chunk,
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
        // is asked again under a new key, and the ratings given before come from the teacher's response cache, billing nothing.
        // The budget is charged the last attempt's usage (every rating once, at what it cost), the billing is every attempt's.
        JudgeResponse response = null!;
        var billed = TeacherBilling.Zero;
        for (var attempt = 1; attempt <= JudgeAttempts; attempt++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{run.RunId}/{round}/judge/{requestId}{(attempt == 1 ? "" : $"#{attempt}")}");
            response = await transport.RequestAsync<JudgeRequest, JudgeResponse>(WorkKind.Judge, key, request, ct).ConfigureAwait(false);
            billed += response.Usage.ToBilling();
            if (string.IsNullOrEmpty(response.Failure))
            {
                break;
            }
        }
        Check(response.Failure, $"judging (after {JudgeAttempts} attempts)");
        return new JudgeChunkOutcome([.. response.Ratings], response.Usage.ToBudget(), billed);
    }
}
