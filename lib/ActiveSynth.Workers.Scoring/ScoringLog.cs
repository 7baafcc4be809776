using Microsoft.Extensions.Logging;

namespace ActiveSynth.Workers.Scoring;

public static partial class ScoringLog
{
    [LoggerMessage(1, LogLevel.Information, "Scored {Items} items of run {RunId} round {Round} with checkpoint {CheckpointId} in {Seconds:F2}s ({Tokens} tokens, mean own-answer NLL {MeanLoss:F4})")]
    public static partial void Scored(this ILogger logger, int items, string runId, int round, string checkpointId, double seconds, long tokens, double meanLoss);

    [LoggerMessage(2, LogLevel.Warning, "Score request {RequestId} of run {RunId} rejected: {Field}: {Reason}")]
    public static partial void Rejected(this ILogger logger, string requestId, string runId, string field, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Score request {RequestId} of run {RunId}: checkpoint unusable")]
    public static partial void CheckpointUnusable(this ILogger logger, Exception error, string requestId, string runId);

    [LoggerMessage(4, LogLevel.Information, "Loaded checkpoint {CheckpointId} ({Sha256}) into the model cache")]
    public static partial void CheckpointLoaded(this ILogger logger, string checkpointId, string sha256);
}
