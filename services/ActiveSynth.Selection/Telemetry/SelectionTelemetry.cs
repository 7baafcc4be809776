using System.Diagnostics;
using System.Diagnostics.Metrics;
using ActiveSynth.Core.Budgets;

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
    private readonly Gauge<long> _billedTokens;
    private readonly Gauge<double> _billedCost;
    private readonly Gauge<long> _cacheHits;
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
        _teacherTokens = meter.CreateGauge<long>("activesynth.selection.budget.teacher_tokens", "{token}",
            "Teacher tokens the run's work has cost so far (what its token limit counts; cached replies included).");
        _teacherCalls = meter.CreateGauge<long>("activesynth.selection.budget.teacher_calls", "{call}", "Teacher calls spent so far by the run.");
        _cost = meter.CreateGauge<double>("activesynth.selection.budget.cost", "USD", "Teacher cost the run's work has cost so far (what its cost limit counts).");
        _billedTokens = meter.CreateGauge<long>("activesynth.selection.billed.teacher_tokens", "{token}", "Teacher tokens the endpoint was paid for the run.");
        _billedCost = meter.CreateGauge<double>("activesynth.selection.billed.cost", "USD", "Teacher cost the endpoint was paid for the run.");
        _cacheHits = meter.CreateGauge<long>("activesynth.selection.cache_hits", "{call}", "Teacher calls of the run answered by the response cache.");
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

    public void Budget(string runId, BudgetAmount spent, TeacherBilling billed)
    {
        var tags = new TagList { { "activesynth.run", runId } };
        _samples.Record(spent.Samples, tags);
        _teacherTokens.Record(spent.TeacherTokens, tags);
        _teacherCalls.Record(spent.TeacherCalls, tags);
        _cost.Record(spent.CostUsd, tags);
        _billedTokens.Record(billed.TeacherTokens, tags);
        _billedCost.Record(billed.CostUsd, tags);
        _cacheHits.Record(billed.CacheHits, tags);
    }

    public void Stage(string stage, double seconds) => _stageDuration.Record(seconds, new KeyValuePair<string, object?>("activesynth.stage", stage));

    public void RunStarted(string strategy) => _runsStarted.Add(1, new KeyValuePair<string, object?>("activesynth.strategy", strategy));

    public void RunFinished(string state) => _runsFinished.Add(1, new KeyValuePair<string, object?>("activesynth.state", state));
}
