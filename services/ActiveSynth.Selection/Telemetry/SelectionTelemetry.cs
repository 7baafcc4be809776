using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ActiveSynth.Selection.Telemetry;

/// <summary>ActivitySource and Meter "ActiveSynth.Selection": accuracy, budget used, stage durations, rounds and runs.</summary>
public sealed class SelectionTelemetry
{
    public const string Name = "ActiveSynth.Selection";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Gauge<double> _accuracy;
    private readonly Gauge<long> _samples;
    private readonly Gauge<long> _teacherTokens;
    private readonly Gauge<long> _teacherCalls;
    private readonly Gauge<double> _cost;
    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _rounds;
    private readonly Counter<long> _runsFinished;
    private readonly Counter<long> _runsStarted;

    public SelectionTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(Name);
        _accuracy = meter.CreateGauge<double>("activesynth.selection.accuracy", description: "Held-out exact-match accuracy of the run's latest checkpoint, in [0,1].");
        _samples = meter.CreateGauge<long>("activesynth.selection.budget.samples", "{sample}", "Samples kept so far by the run.");
        _teacherTokens = meter.CreateGauge<long>("activesynth.selection.budget.teacher_tokens", "{token}", "Teacher tokens spent so far by the run.");
        _teacherCalls = meter.CreateGauge<long>("activesynth.selection.budget.teacher_calls", "{call}", "Teacher calls spent so far by the run.");
        _cost = meter.CreateGauge<double>("activesynth.selection.budget.cost", "USD", "Teacher cost spent so far by the run.");
        _stageDuration = meter.CreateHistogram<double>("activesynth.selection.stage.duration", "s", "Wall time of one stage of one round.");
        _rounds = meter.CreateCounter<long>("activesynth.selection.rounds", "{round}", "Rounds completed (evaluated).");
        _runsStarted = meter.CreateCounter<long>("activesynth.selection.runs.started", "{run}", "Runs started or resumed.");
        _runsFinished = meter.CreateCounter<long>("activesynth.selection.runs.finished", "{run}", "Runs finished, by final state.");
    }

    public void CurvePoint(string runId, string strategy, double accuracy, int round)
    {
        var tags = new TagList { { "activesynth.run", runId }, { "activesynth.strategy", strategy } };
        _accuracy.Record(accuracy, tags);
        if (round > 0)
        {
            _rounds.Add(1, tags);
        }
    }

    public void Budget(string runId, long samples, long tokens, long calls, double cost)
    {
        var tags = new TagList { { "activesynth.run", runId } };
        _samples.Record(samples, tags);
        _teacherTokens.Record(tokens, tags);
        _teacherCalls.Record(calls, tags);
        _cost.Record(cost, tags);
    }

    public void Stage(string stage, double seconds) => _stageDuration.Record(seconds, new KeyValuePair<string, object?>("activesynth.stage", stage));

    public void RunStarted(string strategy) => _runsStarted.Add(1, new KeyValuePair<string, object?>("activesynth.strategy", strategy));

    public void RunFinished(string state) => _runsFinished.Add(1, new KeyValuePair<string, object?>("activesynth.state", state));
}
