using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ActiveSynth.Workers.Scoring;

/// <summary>Meter and ActivitySource <c>ActiveSynth.Scoring</c>: items scored, tokens, durations, the student's own-answer loss, cache hits.</summary>
public sealed class ScoringMetrics
{
    public const string Name = "ActiveSynth.Scoring";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _items;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _cache;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _ownLoss;
    private readonly Histogram<double> _tokensPerSecond;

    public ScoringMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _items = meter.CreateCounter<long>("activesynth.scoring.items", "{item}", "Items scored.");
        _tokens = meter.CreateCounter<long>("activesynth.scoring.tokens", "{token}", "Prompt, generated and teacher-forced tokens processed.");
        _failures = meter.CreateCounter<long>("activesynth.scoring.failures", "{request}", "Score requests answered with a failure, by reason.");
        _cache = meter.CreateCounter<long>("activesynth.scoring.model_cache", "{lookup}", "Model cache lookups, by result (hit/miss).");
        _duration = meter.CreateHistogram<double>("activesynth.scoring.duration", "s", "Wall time of one score request.");
        _ownLoss = meter.CreateHistogram<double>("activesynth.scoring.student_loss", "nats", "Mean own-answer NLL of the items of a request (the student's loss).");
        _tokensPerSecond = meter.CreateHistogram<double>("activesynth.scoring.throughput", "{token}/s", "Tokens per second of one request.");
    }

    public void Scored(int items, long tokens, double seconds, double? meanOwnLoss, string source)
    {
        var tag = new KeyValuePair<string, object?>("source", source);
        _items.Add(items, tag);
        _tokens.Add(tokens, tag);
        _duration.Record(seconds, tag);
        if (seconds > 0)
        {
            _tokensPerSecond.Record(tokens / seconds, tag);
        }
        if (meanOwnLoss is { } loss)
        {
            _ownLoss.Record(loss, tag);
        }
    }

    public void Failed(string reason) => _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void CacheLookup(bool hit) => _cache.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));
}
