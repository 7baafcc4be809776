using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ActiveSynth.Workers.Training;

/// <summary>Meter and ActivitySource <c>ActiveSynth.Training</c>: student loss, eval accuracy, tokens, per-stage durations.</summary>
public sealed class TrainingMetrics
{
    public const string Name = "ActiveSynth.Training";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Histogram<double> _loss;
    private readonly Histogram<double> _accuracy;
    private readonly Histogram<double> _trainDuration;
    private readonly Histogram<double> _evalDuration;
    private readonly Histogram<double> _pretrainDuration;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _rounds;
    private readonly Counter<long> _failures;

    public TrainingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _loss = meter.CreateHistogram<double>("activesynth.training.student_loss", "nats", "Final training loss of a round (mean over the last logging window).");
        _accuracy = meter.CreateHistogram<double>("activesynth.training.eval_accuracy", "1", "Exact-match accuracy on the held-out set after a round.");
        _trainDuration = meter.CreateHistogram<double>("activesynth.training.train_duration", "s", "Wall time of a round's finetuning.");
        _evalDuration = meter.CreateHistogram<double>("activesynth.training.eval_duration", "s", "Wall time of an evaluation.");
        _pretrainDuration = meter.CreateHistogram<double>("activesynth.training.pretrain_duration", "s", "Wall time of pretraining a base.");
        _tokens = meter.CreateCounter<long>("activesynth.training.tokens", "{token}", "Tokens trained on.");
        _rounds = meter.CreateCounter<long>("activesynth.training.rounds", "{round}", "Train requests completed, by outcome (trained, reused, base).");
        _failures = meter.CreateCounter<long>("activesynth.training.failures", "{request}", "Train requests answered with a failure, by reason.");
    }

    public void Trained(double loss, double seconds, long tokens, string outcome)
    {
        if (double.IsFinite(loss))
        {
            _loss.Record(loss);
        }
        _trainDuration.Record(seconds);
        _tokens.Add(tokens);
        _rounds.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Evaluated(double accuracy, double seconds, string source)
    {
        var tag = new KeyValuePair<string, object?>("source", source);
        _accuracy.Record(accuracy, tag);
        _evalDuration.Record(seconds, tag);
    }

    public void Pretrained(double seconds) => _pretrainDuration.Record(seconds);

    public void Failed(string reason) => _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
