using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Engine.Runs;
using ActiveSynth.Selection.Options;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// WatchRun: streams a run's events from its event log until the run finishes. A watcher that attaches without asking for a
/// replay first gets a snapshot of the current state (events with sequence 0: state, budget usage, latest curve point), then
/// every new event; <c>after_sequence</c> resumes exactly after an event it saw.
/// </summary>
public sealed class RunWatcher(RunService runs, RedisRunStore store, IOptions<SelectionOptions> options)
{
    public async Task WatchAsync(WatchRunRequest request, IServerStreamWriter<RunEvent> stream, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stream);
        var run = await runs.GetAsync(request.RunId).ConfigureAwait(false);
        long cursor;
        if (request.AfterSequence > 0)
        {
            cursor = request.AfterSequence;
        }
        else if (request.FromStart)
        {
            cursor = 0;
        }
        else
        {
            cursor = await store.LastEventSequenceAsync(run.Id).ConfigureAwait(false);
            foreach (var snapshot in Snapshot(run))
            {
                await stream.WriteAsync(snapshot, ct).ConfigureAwait(false);
            }
            if (run.IsFinished && run.Meta.Report is not null)
            {
                return; // the snapshot's RunFinished is the last event
            }
        }
        while (!ct.IsCancellationRequested)
        {
            var next = await store.NextEventAsync().ConfigureAwait(false);
            var batch = await store.ReadEventsAsync(run.Id, cursor).ConfigureAwait(false);
            foreach (var @event in batch)
            {
                await stream.WriteAsync(@event, ct).ConfigureAwait(false);
                cursor = @event.Sequence;
                if (@event.KindCase == RunEvent.KindOneofCase.RunFinished)
                {
                    return;
                }
            }
            if (batch.Count == 0)
            {
                await Task.WhenAny(next, Task.Delay(options.Value.WatchPollInterval, ct)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    private static IEnumerable<RunEvent> Snapshot(StoredRun run)
    {
        var view = run.ToContract(RunView.Basic);
        RunEvent Event() => new() { RunId = run.Id, Sequence = 0, At = view.UpdatedAt, Round = run.State.Round };
        var state = Event();
        state.StateChanged = new RunStateChanged { Previous = view.State, Current = view.State, Reason = "snapshot" };
        yield return state;
        var usage = Event();
        usage.BudgetUsage = view.Usage;
        yield return usage;
        if (run.State.Curve.LastOrDefault() is { } last)
        {
            var point = Event();
            point.CurvePoint = last.ToContract(run.Meta, run.Meta.TestItems);
            yield return point;
        }
        if (run.IsFinished && run.Meta.Report is not null)
        {
            var finished = Event();
            finished.RunFinished = view.ToRunFinished();
            yield return finished;
        }
    }
}
