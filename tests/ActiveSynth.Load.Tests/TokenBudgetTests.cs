using System.Diagnostics;
using ActiveSynth.Contracts.V1;
using Xunit.Abstractions;
using Fault = ActiveSynth.Testing.FakeOpenAiServer.Fault;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// A teacher-token budget holds at the endpoint, where the money is spent: a model that bills hidden reasoning tokens up to
/// whatever completion cap it is given, with faults on top, must not bill a run more tokens than its budget.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class TokenBudgetTests(LoadAppHostFixture fixture, ITestOutputHelper output)
{
    /// <summary>Four samples' reservations at the service defaults (2 calls × (1024 prompt + 512 completion) tokens).</summary>
    private const long TokenBudget = 4 * 2 * (1024 + 512);

    [Fact]
    public async Task A_token_budget_is_never_overshot_at_the_endpoint_by_a_model_that_bills_hidden_reasoning_tokens()
    {
        var teacher = fixture.Teacher;
        teacher.ClearFaults();
        teacher.PermanentFault = null;
        var before = teacher.Snapshot();
        var uncappedBefore = teacher.Uncapped;
        teacher.Enqueue(Fault.RateLimited, 3);
        teacher.Enqueue(Fault.Hang, 1);
        teacher.Enqueue(Fault.ServerError, 3);
        var spec = LoadSpecs.Small("tok", "shift", "random", TeacherKind.Openai, maxSamples: 0, randomSeed: 13);
        spec.Budget = new Budget { MaxTeacherTokens = TokenBudget };
        var runId = $"load-tokens-{Guid.NewGuid():N}"[..24];
        var started = Stopwatch.StartNew();
        RunFinished? finished;
        teacher.HiddenReasoningTokens = 4000;
        try
        {
            await new RunDriver(fixture).StartAsync(runId, spec);
            finished = await new RunDriver(fixture).WaitFinishedAsync(runId, TimeSpan.FromMinutes(3));
        }
        finally
        {
            teacher.HiddenReasoningTokens = 0;
            teacher.ClearFaults();
        }
        var duration = started.Elapsed;
        var billed = teacher.Snapshot().Since(before);
        var uncapped = teacher.Uncapped - uncappedBefore;
        Assert.True(finished is not null, $"run {runId} did not finish within 3 minutes; the endpoint saw {billed}");
        var runs = new RunDriver(fixture);
        var run = await runs.GetAsync(runId);
        var audit = RunAudit.Of(run, await runs.ReadLineageAsync(runId), await runs.ReadDatasetQuestionsAsync(runId));
        output.WriteLine($"{runId}: {run.State} ({run.StopReason}{run.FailureReason}) in {duration.TotalSeconds:0.0} s, usage {run.Usage}; endpoint: {billed}, {uncapped} uncapped");
        output.WriteLine(audit.ToString());
        fixture.Figures.Record(new ScenarioFigures
        {
            Scenario = "token_budget_reasoning_model",
            FaultsInjected = billed.Faults,
            FaultsByKind = billed.FaultsServed.ToDictionary(p => p.Key.ToString(), p => p.Value),
            Runs = 1,
            RunsCompleted = run.State == RunState.Completed ? 1 : 0,
            RunsFailed = run.State == RunState.Failed ? 1 : 0,
            SamplesKept = audit.Kept,
            Duplicates = audit.Duplicates,
            BudgetOvershoot = Math.Max(0, billed.Tokens - TokenBudget),
            ChargedTwice = billed.ChargedTwice,
            BilledTokens = billed.Tokens,
            RecordedTokens = run.Usage.TeacherTokens,
            ForeignSamples = audit.Foreign,
            DurationSeconds = Math.Round(duration.TotalSeconds, 1),
        });

        Assert.True(run.State == RunState.Completed, $"run {runId} ended {run.State}: {run.FailureReason}");
        Assert.Contains("teacher_tokens", run.StopReason, StringComparison.Ordinal);
        Assert.True(billed.Tokens <= TokenBudget,
            $"the endpoint billed {billed.Tokens} tokens to a run with a budget of {TokenBudget} ({uncapped} of {billed.Completions} completions were asked without a completion cap)");
        Assert.Equal(billed.Tokens, run.Usage.TeacherTokens);
        Assert.True(audit.Kept > 0, "the run kept no sample");
        Assert.Empty(audit.Problems);
        Assert.Equal(0, billed.ChargedTwice);
    }
}
