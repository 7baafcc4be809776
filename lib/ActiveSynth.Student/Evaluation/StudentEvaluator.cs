using System.Diagnostics;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Scoring;

namespace ActiveSynth.Student.Evaluation;

/// <summary>How the student did on one held-out item.</summary>
public sealed record ItemEvaluationResult(string ItemId, string Family, int Difficulty, bool Correct, string StudentAnswer, string? StudentFinalAnswer,
    string? ReferenceFinalAnswer);

/// <summary>Exact-match accuracy on a held-out set, overall, per family and per family + difficulty cell (e.g. <c>copy2</c>).</summary>
public sealed record EvaluationReport(
    double Accuracy,
    int Total,
    int Correct,
    IReadOnlyDictionary<string, double> FamilyAccuracy,
    IReadOnlyDictionary<string, double> CellAccuracy,
    IReadOnlyList<ItemEvaluationResult> Items,
    long TokensProcessed,
    TimeSpan Duration);

/// <summary>Greedy-decodes every item (KV cache, batched) and grades the final answer with the item's family grader.</summary>
public static class StudentEvaluator
{
    public static EvaluationReport Evaluate(StudentModel model, IReadOnlyList<TaskItem> items, GraderLookup? graders = null, int batchSize = 256,
        int maxNewTokens = 64, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Evaluate(new EmbeddedScoringStudent(model), items, graders, batchSize, maxNewTokens, ct);
    }

    /// <summary>The same evaluation for any student behind the <see cref="IScoringStudent"/> seam (a Hugging Face checkpoint).</summary>
    public static EvaluationReport Evaluate(IScoringStudent model, IReadOnlyList<TaskItem> items, GraderLookup? graders = null, int batchSize = 256,
        int maxNewTokens = 64, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        graders ??= GraderLookup.Default;
        var started = Stopwatch.GetTimestamp();
        var results = new List<ItemEvaluationResult>(items.Count);
        long tokens = 0;
        for (var start = 0; start < items.Count; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = items.Skip(start).Take(batchSize).ToList();
            var decoded = model.DecodeGreedy([.. chunk.Select(i => i.Question)], maxNewTokens, useKvCache: true);
            for (var i = 0; i < chunk.Count; i++)
            {
                var item = chunk[i];
                var grader = graders.For(item.Family);
                var text = model.DecodeText(decoded[i].Tokens);
                tokens += decoded[i].PromptTokens + decoded[i].ScoredTokenCount;
                results.Add(new ItemEvaluationResult(item.Id, item.Family, item.Difficulty, grader.IsCorrect(text, item.Answer), text,
                    grader.ExtractFinalAnswer(text), grader.ExtractFinalAnswer(item.Answer)));
            }
        }
        var correct = results.Count(r => r.Correct);
        return new EvaluationReport(
            results.Count == 0 ? 0 : correct / (double)results.Count,
            results.Count,
            correct,
            Group(results, r => r.Family),
            Group(results, r => $"{r.Family}{r.Difficulty}"),
            results,
            tokens,
            Stopwatch.GetElapsedTime(started));
    }

    private static SortedDictionary<string, double> Group(List<ItemEvaluationResult> results, Func<ItemEvaluationResult, string> key) =>
        new(results.GroupBy(key).ToDictionary(g => g.Key, g => g.Count(r => r.Correct) / (double)g.Count()), StringComparer.Ordinal);
}
