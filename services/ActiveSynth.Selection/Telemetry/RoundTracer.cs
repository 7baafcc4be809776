using System.Diagnostics;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Selection.Telemetry;

/// <summary>
/// One trace per round: a root span "round r" of the run, and every stage's span (score, generate, train) under it. The stage
/// spans are Activity.Current while publishing, so the stream entries carry their context and the workers' spans join the
/// round's trace.
/// </summary>
public sealed class RoundTracer(string runId, string strategy) : IRoundTracer, IDisposable
{
    private readonly Lock _gate = new();
    private Activity? _round;
    private int _roundNumber = -1;

    /// <summary>Starts a stage span under round <paramref name="round"/>'s span (starting that round's trace if needed).</summary>
    public Activity? StartStage(int round, string stage)
    {
        ActivityContext parent;
        lock (_gate)
        {
            if (_round is null || _roundNumber != round)
            {
                _round?.Stop();
                var previous = Activity.Current;
                Activity.Current = null; // a new root: one trace per round
                _round = SelectionTelemetry.ActivitySource.StartActivity($"round {round}", ActivityKind.Internal);
                Activity.Current = previous;
                _round?.SetTag("activesynth.run", runId);
                _round?.SetTag("activesynth.round", round);
                _round?.SetTag("activesynth.strategy", strategy);
                _roundNumber = round;
            }
            parent = _round?.Context ?? default;
        }
        var activity = SelectionTelemetry.ActivitySource.StartActivity(stage, ActivityKind.Internal, parent);
        activity?.SetTag("activesynth.run", runId);
        activity?.SetTag("activesynth.round", round);
        return activity;
    }

    /// <summary>Ends round <paramref name="round"/>'s span (after its evaluation).</summary>
    public void EndRound(int round)
    {
        lock (_gate)
        {
            if (_round is not null && _roundNumber == round)
            {
                _round.Stop();
                _round = null;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _round?.Stop();
            _round = null;
        }
    }
}
