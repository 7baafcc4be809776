using ActiveSynth.Contracts.V1;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// What a finished run kept, checked against its spec: duplicates (a sample id, a teacher call id, a question written twice),
/// samples that are not the run's own (another run's id, a seed outside the run's pool, a family it did not ask for), and how far
/// past its sample budget it went.
/// </summary>
public sealed record RunAudit(string RunId, long Budget, long Kept, int DatasetLines, int Duplicates, int Foreign, long Overshoot, IReadOnlyList<string> Problems)
{
    /// <summary>Samples short of a sample budget (0 when the run had none).</summary>
    public long Lost => Budget > 0 ? Math.Max(0, Budget - Kept) : 0;

    public static RunAudit Of(Run run, IReadOnlyList<LineageLine> lineage, IReadOnlyList<string> datasetQuestions)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(lineage);
        var problems = new List<string>();
        var seeds = run.Spec.Task.SeedItems.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var duplicates = CountDuplicates(lineage.Select(l => l.SampleId), "sample id", problems)
            + CountDuplicates(lineage.SelectMany(l => l.TeacherCallIds), "teacher call id", problems)
            + CountDuplicates(datasetQuestions, "question", problems);
        var datasetLines = datasetQuestions.Count;
        var foreign = 0;
        foreach (var line in lineage)
        {
            // Sample and teacher call ids are the spec's (r<round>-s<slot>), not the run's, so that a re-run is answered from the
            // teacher's cache: a sample belongs to this run when its lineage names the run and one of the run's own seeds.
            var own = line.RunId == run.Id
                && seeds.TryGetValue(line.SeedId, out var seed)
                && seed.Family == line.Family;
            if (!own)
            {
                foreign++;
                problems.Add($"sample {line.SampleId} (run {line.RunId}, seed {line.SeedId}, family {line.Family}) is not from run {run.Id}'s seeds");
            }
        }
        var budget = run.Spec.Budget.MaxSamples;
        var kept = run.Usage.SamplesKept;
        if (kept != lineage.Count || kept != datasetLines)
        {
            problems.Add($"usage says {kept} samples kept, lineage.jsonl has {lineage.Count}, dataset.jsonl {datasetLines}");
        }
        var overshoot = budget > 0 ? Math.Max(0, Math.Max(kept, lineage.Count) - budget) : 0;
        return new RunAudit(run.Id, budget, kept, datasetLines, duplicates, foreign, overshoot, problems);
    }

    private static int CountDuplicates(IEnumerable<string> ids, string what, List<string> problems)
    {
        var repeated = ids.GroupBy(i => i, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        problems.AddRange(repeated.Select(g => $"{what} {g.Key} appears {g.Count()} times"));
        return repeated.Sum(g => g.Count() - 1);
    }

    public override string ToString() =>
        $"{RunId}: kept {Kept}/{Budget}, dataset {DatasetLines}, duplicates {Duplicates}, foreign {Foreign}, overshoot {Overshoot}" +
        (Problems.Count > 0 ? "; " + string.Join("; ", Problems.Take(10)) : "");
}
