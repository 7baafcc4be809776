using System.Diagnostics;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using Xunit.Abstractions;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// Fault 4: kill -9 of the Teacher replica that is waiting on an OpenAI-compatible endpoint's answer, where the endpoint
/// (the worst case of a provider) finishes and bills a completion whose client has died. The other replica redoes the
/// request: at most the calls in flight at the kill are paid twice, and the run records them as paid twice (their start
/// marks outlive the dead replica), so its usage and budget never fall short of what was billed.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class TeacherEndpointKillTests(ChaosFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Latency = TimeSpan.FromSeconds(1.5);

    public Task InitializeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    public async Task DisposeAsync()
    {
        fixture.TeacherEndpoint.Latency = TimeSpan.Zero;
        fixture.TeacherEndpoint.BillAbandonedCalls = false;
        await fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task A_teacher_replica_killed_while_waiting_on_the_endpoint_costs_at_most_its_in_flight_calls_all_of_them_recorded()
    {
        var endpoint = fixture.TeacherEndpoint;
        endpoint.Latency = Latency;
        endpoint.BillAbandonedCalls = true;
        var before = endpoint.Snapshot();
        var clock = Stopwatch.StartNew();
        var run = await ChaosRun.StartAsync(new Runs.RunsClient(fixture.Selection), "endpoint", teacher: TeacherKind.Openai);
        output.WriteLine($"run {run.Id}");

        var injected = await new ReplicaKiller(fixture).KillHolderAsync("teacher", Streams.GenerateRequests,
            async () => await run.TryGetAsync() is not { } r || r.State is RunState.Running or RunState.Pending && r.Round <= 1,
            TimeSpan.FromMinutes(2),
            when: () => endpoint.InFlight > 0);
        output.WriteLine(injected);

        var finished = await run.WaitFinishedAsync(TimeSpan.FromMinutes(4));
        var audit = await fixture.AuditAsync(finished);
        var billed = endpoint.Snapshot().Since(before);
        var billing = new TeacherBilling(billed.Completions, billed.ChargedTwice, billed.Abandoned, billed.Tokens, finished.Usage.BilledTeacherTokens, BillsAbandonedCalls: true);
        output.WriteLine(audit.ToString());
        output.WriteLine($"endpoint: {billed}; run recorded {billing.RecordedTokens} tokens, {billing.UnrecordedTokens} billed tokens unrecorded");
        fixture.Figures.Add(audit, "kill -9 of the teacher replica waiting on an OpenAI-compatible endpoint that bills abandoned calls",
            clock.Elapsed, [injected], [$"endpoint: {billed}"], billing);

        audit.AssertNothingLost();
        Assert.DoesNotContain("after its stage", injected, StringComparison.Ordinal); // it landed mid-call
        Assert.True(billed.Abandoned > 0, $"no call was in flight at the endpoint when the replica died ({billed})");
        // Only what the dead replica abandoned is paid twice.
        Assert.True(billed.ChargedTwice <= billed.Abandoned, $"{billed.ChargedTwice} calls billed twice, but only {billed.Abandoned} were abandoned by the killed replica");
        // Everything billed is in the run's billed usage (a redone call whose first attempt never reached the endpoint is counted
        // twice anyway: the billing errs on the side of what may have been paid); the budget is charged each call once.
        Assert.True(billing.UnrecordedTokens <= 0, $"{billing.UnrecordedTokens} billed tokens are not in the run's billed usage ({billing.RecordedTokens} recorded, {billed.Tokens} billed)");
        Assert.True(finished.Usage.TeacherTokens <= finished.Usage.BilledTeacherTokens, $"the budget was charged {finished.Usage.TeacherTokens} tokens, more than the {finished.Usage.BilledTeacherTokens} billed");
    }
}
