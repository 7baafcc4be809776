using System.Diagnostics;
using ActiveSynth.Contracts.V1;
using Xunit.Abstractions;
using Fault = ActiveSynth.Testing.FakeOpenAiServer.Fault;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// Runs on the OpenAI-compatible teacher while its endpoint misbehaves: every sample must still be paid for exactly once, none
/// kept twice, and a budget that cannot be met must end the run as FAILED, promptly, with a reason that says so.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class TeacherFaultTests(LoadAppHostFixture fixture, ITestOutputHelper output)
{
    private const long Budget = 16;
    private readonly RunDriver _runs = new(fixture);

    [Fact]
    public async Task A_run_through_storms_of_429_500_hangs_and_malformed_json_keeps_exactly_its_budget_each_sample_paid_once()
    {
        var teacher = fixture.Teacher;
        teacher.ClearFaults();
        teacher.PermanentFault = null;
        var before = teacher.Snapshot();
        teacher.Enqueue(Fault.RateLimited, 10);
        teacher.Enqueue(Fault.ServerError, 6);
        teacher.Enqueue(Fault.Hang, 3);
        teacher.Enqueue(Fault.MalformedJson, 2);
        teacher.Enqueue(Fault.RateLimited, 4);
        var runId = $"load-faults-{Guid.NewGuid():N}"[..24];
        var started = Stopwatch.StartNew();

        await _runs.StartAsync(runId, LoadSpecs.Small("flt", "copy", "random", TeacherKind.Openai, Budget, randomSeed: 11));
        var finished = await _runs.WaitFinishedAsync(runId, TimeSpan.FromMinutes(4));
        var duration = started.Elapsed;
        var billed = teacher.Snapshot().Since(before);
        teacher.ClearFaults();

        Assert.True(finished is not null, $"run {runId} did not finish within 4 minutes; the endpoint saw {billed}");
        var run = await _runs.GetAsync(runId);
        output.WriteLine($"{runId}: {run.State} ({run.StopReason}{run.FailureReason}) in {duration.TotalSeconds:0.0} s, usage {run.Usage}, drops {run.DropsByReason}; endpoint: {billed}");
        Assert.True(run.State == RunState.Completed, $"run {runId} ended {run.State}: {run.FailureReason}");
        var audit = RunAudit.Of(run, await _runs.ReadLineageAsync(runId), await _runs.ReadDatasetQuestionsAsync(runId));
        output.WriteLine(audit.ToString());
        var recordedTokens = run.Usage.TeacherTokens;
        fixture.Figures.Record(new ScenarioFigures
        {
            Scenario = "teacher_faults",
            FaultsInjected = billed.Faults,
            FaultsByKind = billed.FaultsServed.ToDictionary(p => p.Key.ToString(), p => p.Value),
            Runs = 1,
            RunsCompleted = 1,
            SamplesExpected = Budget,
            SamplesKept = audit.Kept,
            SamplesLost = audit.Lost,
            Duplicates = audit.Duplicates,
            BudgetOvershoot = audit.Overshoot,
            ChargedTwice = billed.ChargedTwice,
            BilledTokens = billed.Tokens,
            RecordedTokens = recordedTokens,
            ForeignSamples = audit.Foreign,
            DurationSeconds = Math.Round(duration.TotalSeconds, 1),
        });

        Assert.True(billed.Faults >= 20, $"only {billed.Faults} of the 25 queued faults were served: the scenario did not exercise the retries ({billed})");
        Assert.Equal(0, teacher.Unauthorized);
        Assert.Equal(Budget, audit.Kept);
        Assert.Empty(audit.Problems);
        Assert.Equal(0, billed.ChargedTwice);
        // The run's usage has the total only (BudgetUsage's prompt/completion split is not filled in): every billed token must be in it, once.
        Assert.True(billed.Tokens == recordedTokens, $"the endpoint billed {billed.Tokens} tokens ({billed.PromptTokens}+{billed.CompletionTokens}) but the run recorded {recordedTokens}");
    }

    [Theory]
    [InlineData(Fault.ServerError)]
    [InlineData(Fault.RateLimited)]
    [InlineData(Fault.Hang)]
    [InlineData(Fault.MalformedJson)]
    [InlineData(Fault.KeyRevoked)]
    public async Task A_run_whose_endpoint_fails_for_good_fails_promptly_saying_the_budget_cannot_be_met(Fault fault)
    {
        var teacher = fixture.Teacher;
        teacher.ClearFaults();
        var before = teacher.Snapshot();
        var runId = $"load-down-{Guid.NewGuid():N}"[..22];
        var started = Stopwatch.StartNew();
        teacher.PermanentFault = fault;
        RunFinished? finished;
        try
        {
            await _runs.StartAsync(runId, LoadSpecs.Small("down", "rev", "random", TeacherKind.Openai, Budget, randomSeed: 12));
            finished = await _runs.WaitFinishedAsync(runId, TimeSpan.FromMinutes(3));
        }
        finally
        {
            teacher.PermanentFault = null;
        }
        var duration = started.Elapsed;
        var billed = teacher.Snapshot().Since(before);
        Run? run = finished is null ? null : await _runs.GetAsync(runId);
        fixture.Figures.Record(new ScenarioFigures
        {
            Scenario = $"teacher_down_{fault}",
            FaultsInjected = billed.Faults,
            FaultsByKind = billed.FaultsServed.ToDictionary(p => p.Key.ToString(), p => p.Value),
            Runs = 1,
            RunsFailed = run?.State == RunState.Failed ? 1 : 0,
            RunsCompleted = run?.State == RunState.Completed ? 1 : 0,
            SamplesExpected = Budget,
            SamplesKept = run?.Usage.SamplesKept ?? 0,
            // Lost = paid for and not kept; a run that cannot meet its budget is short, not lossy.
            SamplesLost = Math.Max(0, billed.Completions - (run?.Usage.SamplesKept ?? 0)),
            SamplesShort = Budget - (run?.Usage.SamplesKept ?? 0),
            BudgetOvershoot = Math.Max(0, (run?.Usage.SamplesKept ?? 0) - Budget),
            ChargedTwice = billed.ChargedTwice,
            BilledTokens = billed.Tokens,
            RecordedTokens = run?.Usage.TeacherTokens ?? 0,
            FailureReason = run?.FailureReason ?? "did not finish within 3 minutes",
            DurationSeconds = Math.Round(duration.TotalSeconds, 1),
        });

        Assert.True(run is not null, $"run {runId} was still going 3 minutes after its endpoint went down for good ({billed.Faults} requests answered with {fault})");
        output.WriteLine($"{runId}: {run.State} after {duration.TotalSeconds:0.0} s: '{run.FailureReason}', usage {run.Usage}, endpoint: {billed}");
        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("teacher", run.FailureReason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("budget cannot be met", run.FailureReason, StringComparison.Ordinal);
        Assert.Equal(0, run.Usage.SamplesKept);
        Assert.Equal(0, billed.Completions);
        Assert.True(billed.Faults > 0, "the endpoint was never called");
    }

    [Fact]
    public async Task A_judge_strategy_rides_out_faults_while_the_teacher_judges_and_pays_for_every_rating_once()
    {
        var teacher = fixture.Teacher;
        teacher.ClearFaults();
        teacher.PermanentFault = null;
        var before = teacher.Snapshot();
        // The score stage comes first in a round, so the first requests the endpoint sees are judge calls.
        teacher.Enqueue(Fault.RateLimited, 6);
        teacher.Enqueue(Fault.ServerError, 3);
        teacher.Enqueue(Fault.MalformedJson, 1);
        var runId = $"load-judge-{Guid.NewGuid():N}"[..24];

        var spec = LoadSpecs.Small("jdg", "rev", "judge-hard", TeacherKind.Openai, Budget, randomSeed: 5151);
        await _runs.StartAsync(runId, spec);
        var finished = await _runs.WaitFinishedAsync(runId, TimeSpan.FromMinutes(4));
        var billed = teacher.Snapshot().Since(before);
        teacher.ClearFaults();

        Assert.True(finished is not null, $"run {runId} did not finish within 4 minutes; the endpoint saw {billed}");
        var run = await _runs.GetAsync(runId);
        output.WriteLine($"{runId}: {run.State} ({run.StopReason}{run.FailureReason}), usage {run.Usage}; endpoint: {billed}");
        Assert.True(run.State == RunState.Completed, $"run {runId} ended {run.State}: {run.FailureReason}");
        Assert.True(billed.Faults >= 10, $"only {billed.Faults} faults were served: the test proves less than it says");
        var rounds = run.Curve.Count(p => p.Round > 0);
        var rated = Math.Min(spec.Task.SeedItems.Count, 2 * LoadSpecs.SamplesPerRound); // k·m seeds a round, k = 2 in seed mode
        Assert.True(run.Usage.TeacherCalls >= rounds * rated + run.Usage.SamplesKept,
            $"{run.Usage.TeacherCalls} calls counted for {rounds} rounds of {rated} ratings and {run.Usage.SamplesKept} samples");
        Assert.Equal(billed.Tokens, run.Usage.TeacherTokens);
        Assert.Equal(0, billed.ChargedTwice);
    }
}
