using Microsoft.Extensions.Logging;

namespace ActiveSynth.Workers.Training;

public static partial class TrainingLog
{
    [LoggerMessage(1, LogLevel.Information, "Run {RunId} round {Round}: trained {Steps} steps on {Samples} samples in {Seconds:F1}s, loss {Loss:F4}, accuracy {Accuracy:P1}, checkpoint {CheckpointId}")]
    public static partial void RoundTrained(this ILogger logger, string runId, int round, int steps, int samples, double seconds, double loss, double accuracy, string checkpointId);

    [LoggerMessage(2, LogLevel.Information, "Run {RunId} round {Round}: checkpoint {CheckpointId} already exists (redelivery); not training again")]
    public static partial void RoundReused(this ILogger logger, string runId, int round, string checkpointId);

    [LoggerMessage(3, LogLevel.Information, "Pretrained base {CheckpointId} ({Parameters} parameters) in {Seconds:F1}s, final loss {Loss:F4}")]
    public static partial void BasePretrained(this ILogger logger, string checkpointId, long parameters, double seconds, double loss);

    [LoggerMessage(4, LogLevel.Information, "Base {CheckpointId} loaded from the artifact store cache")]
    public static partial void BaseCached(this ILogger logger, string checkpointId);

    [LoggerMessage(5, LogLevel.Warning, "Train request {RequestId} of run {RunId} rejected: {Field}: {Reason}")]
    public static partial void Rejected(this ILogger logger, string requestId, string runId, string field, string reason);

    [LoggerMessage(6, LogLevel.Warning, "Train request {RequestId} of run {RunId} failed: {Failure}")]
    public static partial void RequestFailed(this ILogger logger, Exception error, string requestId, string runId, string failure);

    [LoggerMessage(7, LogLevel.Information, "Evaluated checkpoint {CheckpointId} on {Items} items: accuracy {Accuracy:P1} in {Seconds:F1}s")]
    public static partial void Evaluated(this ILogger logger, string checkpointId, int items, double accuracy, double seconds);
}
