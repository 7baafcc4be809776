using ActiveSynth.Contracts.V1;
using Xunit.Abstractions;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// A re-run of a spec pays the teacher nothing: the run id seeds nothing, so the second run (another id, the same spec) asks the
/// endpoint exactly what the first asked, and every call is answered from the Teacher's response cache in Redis. Its budget is
/// charged what the first run's calls cost, so it follows the same budget course and keeps the same samples.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class RerunCacheTests(LoadAppHostFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task The_same_spec_run_again_under_another_id_bills_no_endpoint_call_and_follows_the_same_budget_course()
    {
        var teacher = fixture.Teacher;
        teacher.ClearFaults();
        teacher.PermanentFault = null;
        // A seed no other test of the suite uses, so the first run cannot itself be answered from an earlier test's cache.
        var spec = LoadSpecs.Small("rerun", "rev", "loss-high", TeacherKind.Openai, maxSamples: 16, randomSeed: 4243);
        var runs = new RunDriver(fixture);

        var first = await RunAsync(runs, $"load-rerun-a-{Guid.NewGuid():N}"[..24], spec);
        var afterFirst = teacher.Requests;
        var second = await RunAsync(runs, $"load-rerun-b-{Guid.NewGuid():N}"[..24], spec);
        var secondCalls = teacher.Requests - afterFirst;

        output.WriteLine($"first {first.Id}: {first.Usage}; second {second.Id}: {second.Usage}; endpoint requests during the second: {secondCalls}");
        Assert.True(first.Usage.TeacherTokens > 0, "the first run paid nothing: it cannot show that the second was answered from the cache");
        Assert.Equal(0, secondCalls);
        Assert.Equal((0L, 0L, 0.0), (second.Usage.BilledTeacherCalls, second.Usage.BilledTeacherTokens, second.Usage.BilledCostUsd));
        Assert.Equal(first.Usage.TeacherCalls, second.Usage.CacheHits);
        Assert.Equal(first.Usage.TeacherTokens, first.Usage.BilledTeacherTokens);
        Assert.Equal((first.Usage.TeacherCalls, first.Usage.TeacherTokens, first.Usage.CostUsd, first.Usage.SamplesKept),
            (second.Usage.TeacherCalls, second.Usage.TeacherTokens, second.Usage.CostUsd, second.Usage.SamplesKept));
        // The same budget course: round by round, the same samples for the same tokens.
        Assert.Equal(first.Curve.Select(p => (p.Round, p.SamplesSoFar, p.TeacherTokensSoFar)), second.Curve.Select(p => (p.Round, p.SamplesSoFar, p.TeacherTokensSoFar)));
        Assert.Equal(await runs.ReadDatasetQuestionsAsync(first.Id), await runs.ReadDatasetQuestionsAsync(second.Id));
    }

    private static async Task<Run> RunAsync(RunDriver runs, string runId, RunSpec spec)
    {
        await runs.StartAsync(runId, spec);
        Assert.NotNull(await runs.WaitFinishedAsync(runId, TimeSpan.FromMinutes(3)));
        var run = await runs.GetAsync(runId);
        Assert.True(run.State == RunState.Completed, $"run {runId} ended {run.State}: {run.FailureReason}");
        return run;
    }
}
