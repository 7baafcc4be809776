using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using Grpc.Core;
using Spectre.Console;

namespace ActiveSynth.Cli.Compare;

/// <summary>
/// One run of a comparison on a deployment: started through the Runs API under a name fixed by the comparison (StartRun of an
/// existing id returns that run, so a completed run is reused and an interrupted comparison resumes), followed to its end
/// with a line per learning-curve point, then read back as the loop state the comparison report is built from.
/// </summary>
public static class ServerRun
{
    public static async Task<LoopState> RunAsync(Runs.RunsClient client, string runId, RunSpec spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        var run = await client.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, cancellationToken: ct);
        if (!run.Spec.Equals(spec))
        {
            throw new InvalidOperationException($"run {runId} exists on the deployment with another spec; give the comparison another --name");
        }
        if (run.State is RunState.Failed or RunState.Cancelled)
        {
            run = await client.ResumeRunAsync(new ResumeRunRequest { RunId = runId }, cancellationToken: ct);
        }
        if (run.State is not RunState.Completed)
        {
            await FollowAsync(client, runId, ct);
        }
        return ToState(await client.GetRunAsync(new GetRunRequest { RunId = runId, View = RunView.Full }, cancellationToken: ct));
    }

    private static async Task FollowAsync(Runs.RunsClient client, string runId, CancellationToken ct)
    {
        using var call = client.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: ct);
        await foreach (var e in call.ResponseStream.ReadAllAsync(ct))
        {
            if (e.KindCase == RunEvent.KindOneofCase.CurvePoint)
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"{runId} round [bold]{e.CurvePoint.Round}[/]: accuracy [green]{e.CurvePoint.Accuracy:P1}[/], samples {e.CurvePoint.SamplesSoFar}, teacher tokens {e.CurvePoint.TeacherTokensSoFar:N0}");
            }
            else if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
            {
                return;
            }
        }
    }

    /// <summary>What the comparison reads of a run (curve, spending, drops, per-round picks, wall time), from the deployment's view of it.</summary>
    public static LoopState ToState(Run run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var usage = run.Usage ?? new BudgetUsage();
        var state = new LoopState
        {
            RunId = run.Id,
            Seeds = [],
            Status = run.State switch
            {
                RunState.Completed => RunStatus.Completed,
                RunState.Failed => RunStatus.Failed,
                RunState.Cancelled => RunStatus.Cancelled,
                RunState.Running => RunStatus.Running,
                _ => RunStatus.Pending,
            },
            StopReason = run.StopReason,
            FailureReason = string.IsNullOrEmpty(run.FailureReason) ? null : run.FailureReason,
            Round = run.Round,
            Spent = new BudgetAmount(usage.SamplesKept, usage.TeacherCalls, usage.TeacherTokens, usage.CostUsd),
            Billed = new TeacherBilling(usage.BilledTeacherCalls, usage.BilledTeacherTokens, usage.BilledCostUsd, usage.CacheHits),
            Elapsed = run.Curve.LastOrDefault()?.Elapsed?.ToTimeSpan() ?? TimeSpan.Zero,
        };
        state.Curve.AddRange(run.Curve.Select(p => new CurvePoint(p.Round, p.SamplesSoFar, p.TeacherTokensSoFar, p.CostUsdSoFar, p.Accuracy,
            p.FamilyAccuracy.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal), p.HasTrainLoss ? p.TrainLoss : double.NaN)));
        state.Selections.AddRange(run.Rounds.Where(r => r.Selected > 0).Select(r => new RoundSelection(r.Round, r.Selected,
            r.PicksByFamily.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal), new Dictionary<int, int>(), r.PicksAlreadyCorrect,
            r.MeanStrategyScore)));
        foreach (var round in run.Rounds)
        {
            state.Drops.AddRange(round.DropsByReason.SelectMany(d => Enumerable.Repeat(new DropRecord(round.Round, "", d.Key, null), (int)d.Value)));
        }
        return state;
    }
}
