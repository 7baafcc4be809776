using System.Diagnostics;
using ActiveSynth.Contracts.V1;
using Xunit.Abstractions;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// Eight small runs at once on the one deployment, mixing strategies, families, seeds and teachers (embedded and the
/// OpenAI-compatible endpoint): each must complete with its own budget of samples, every one traceable to its own seeds.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class ConcurrentRunsTests(LoadAppHostFixture fixture, ITestOutputHelper output)
{
    /// <summary>Per-run sample budgets: one, two or three rounds of 8, so a sample that strayed into another run would show in a count.</summary>
    private static readonly long[] Budgets = [16, 8, 24];
    private static readonly string[] Families = ["copy", "rev", "shift", "arith", "logic", "list"];
    private static readonly string[] Strategies = ["random", "loss-high", "random", "loss-low"];
    private readonly RunDriver _runs = new(fixture);

    [Fact]
    public async Task Eight_concurrent_runs_complete_with_isolated_datasets_and_their_own_budgets()
    {
        fixture.Teacher.ClearFaults();
        fixture.Teacher.PermanentFault = null;
        var before = fixture.Teacher.Snapshot();
        var batch = Guid.NewGuid().ToString("N")[..6];
        var plans = Enumerable.Range(0, 8).Select(i => (
            RunId: $"load-c{i}-{batch}",
            Spec: LoadSpecs.Small($"c{i}{batch}", Families[i % Families.Length], Strategies[i % Strategies.Length],
                i % 2 == 0 ? TeacherKind.Embedded : TeacherKind.Openai, Budgets[i % Budgets.Length], randomSeed: 100 + i))).ToList();
        var started = Stopwatch.StartNew();

        await Task.WhenAll(plans.Select(p => _runs.StartAsync(p.RunId, p.Spec)));
        var finished = await Task.WhenAll(plans.Select(p => _runs.WaitFinishedAsync(p.RunId, TimeSpan.FromMinutes(5))));
        var duration = started.Elapsed;
        var billed = fixture.Teacher.Snapshot().Since(before);

        var runs = await Task.WhenAll(plans.Select(p => _runs.GetAsync(p.RunId)));
        var audits = new List<RunAudit>();
        foreach (var run in runs.Where(r => r.State == RunState.Completed))
        {
            audits.Add(RunAudit.Of(run, await _runs.ReadLineageAsync(run.Id), await _runs.ReadDatasetQuestionsAsync(run.Id)));
        }
        foreach (var run in runs)
        {
            output.WriteLine($"{run.Id} {run.Spec.Strategy.Name}/{run.Spec.Task.Families[0]}/{run.Spec.Teacher.Kind}: {run.State} {run.StopReason}{run.FailureReason} usage {run.Usage.SamplesKept} kept, {run.Usage.TeacherTokens} tokens, drops {run.DropsByReason}");
        }
        audits.ForEach(a => output.WriteLine(a.ToString()));
        var openAiRuns = runs.Where(r => r.Spec.Teacher.Kind == TeacherKind.Openai).ToList();
        var recordedTokens = openAiRuns.Sum(r => r.Usage.TeacherTokens);
        fixture.Figures.Record(new ScenarioFigures
        {
            Scenario = "concurrent_runs",
            FaultsInjected = billed.Faults,
            Runs = plans.Count,
            RunsCompleted = runs.Count(r => r.State == RunState.Completed),
            RunsFailed = runs.Count(r => r.State == RunState.Failed),
            SamplesExpected = plans.Sum(p => p.Spec.Budget.MaxSamples),
            SamplesKept = runs.Sum(r => r.Usage.SamplesKept),
            SamplesLost = runs.Sum(r => Math.Max(0, r.Spec.Budget.MaxSamples - r.Usage.SamplesKept)),
            Duplicates = audits.Sum(a => a.Duplicates),
            BudgetOvershoot = runs.Sum(r => Math.Max(0, r.Usage.SamplesKept - r.Spec.Budget.MaxSamples)),
            ChargedTwice = billed.ChargedTwice,
            BilledTokens = billed.Tokens,
            RecordedTokens = recordedTokens,
            ForeignSamples = audits.Sum(a => a.Foreign),
            DurationSeconds = Math.Round(duration.TotalSeconds, 1),
        });

        var unfinished = plans.Where((p, i) => finished[i] is null).Select(p => p.RunId).ToList();
        Assert.True(unfinished.Count == 0, $"not finished within 5 minutes: {string.Join(", ", unfinished)}");
        Assert.All(runs, r => Assert.True(r.State == RunState.Completed, $"run {r.Id} ended {r.State}: {r.FailureReason}"));
        // Isolation: every sample a run kept names that run in its lineage and came from one of that run's own seeds (the audit's
        // "foreign" check). Sample ids alone are the spec's (r<round>-s<slot>), so different runs share them by design.
        Assert.All(audits, a => Assert.True(a.Problems.Count == 0 && a.Kept == a.Budget && a.Foreign == 0, a.ToString()));
        Assert.Equal(0, billed.ChargedTwice);
        Assert.True(billed.Tokens == recordedTokens,
            $"the endpoint billed {billed.Tokens} tokens during the batch, its {openAiRuns.Count} runs recorded {recordedTokens}");
    }
}
