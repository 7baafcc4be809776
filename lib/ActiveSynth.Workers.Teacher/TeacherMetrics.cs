using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using System.Diagnostics.Metrics;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;

namespace ActiveSynth.Workers.Teacher;

/// <summary>
/// Meter "ActiveSynth.Teacher": tokens in and out and $ cost (what the calls cost, cached or not), tokens, $ and calls billed by
/// the endpoint, calls, retries, cache hits, samples kept and dropped by reason.
/// </summary>
public sealed class TeacherMetrics
{
    public const string MeterName = "ActiveSynth.Teacher";

    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _billedTokens;
    private readonly Counter<double> _billedCost;
    private readonly Counter<long> _billedCalls;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _kept;
    private readonly Counter<long> _dropped;

    public TeacherMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _tokens = meter.CreateCounter<long>("activesynth.teacher.tokens", "{token}",
            "Teacher tokens charged to budgets (direction=prompt|completion); a cached reply charges the usage it was made with.");
        _cost = meter.CreateCounter<double>("activesynth.teacher.cost", "USD", "Teacher cost charged to budgets, from configured prices.");
        _billedTokens = meter.CreateCounter<long>("activesynth.teacher.billed.tokens", "{token}", "Teacher tokens the endpoint was paid.");
        _billedCost = meter.CreateCounter<double>("activesynth.teacher.billed.cost", "USD", "Teacher cost the endpoint was paid.");
        _billedCalls = meter.CreateCounter<long>("activesynth.teacher.billed.calls", "{call}", "Teacher calls that reached the endpoint.");
        _calls = meter.CreateCounter<long>("activesynth.teacher.calls", "{call}", "Teacher calls (a retried call counts once).");
        _retries = meter.CreateCounter<long>("activesynth.teacher.retries", "{retry}", "Retries of teacher calls (never charged).");
        _cacheHits = meter.CreateCounter<long>("activesynth.teacher.cache_hits", "{call}", "Teacher calls answered by the response cache.");
        _kept = meter.CreateCounter<long>("activesynth.teacher.samples.kept", "{sample}", "Samples that passed validation.");
        _dropped = meter.CreateCounter<long>("activesynth.teacher.samples.dropped", "{sample}", "Samples dropped, by reason.");
    }

    public void Record(CallUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var model = new KeyValuePair<string, object?>("model", usage.Model);
        _tokens.Add(usage.PromptTokens, model, new("direction", "prompt"));
        _tokens.Add(usage.CompletionTokens, model, new("direction", "completion"));
        _cost.Add(usage.CostUsd, model);
        _billedTokens.Add(usage.Billed.Tokens, model);
        _billedCost.Add(usage.Billed.CostUsd, model);
        _billedCalls.Add(usage.Billed.Calls, model);
        _calls.Add(usage.Calls, model);
        _retries.Add(usage.Retries, model);
        _cacheHits.Add(usage.CacheHits, model);
    }

    public void Kept(string family) => _kept.Add(1, new KeyValuePair<string, object?>("family", family));

    public void Dropped(SampleDropReason reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
}
