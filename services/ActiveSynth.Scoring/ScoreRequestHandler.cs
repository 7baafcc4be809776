using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using ActiveSynth.Student.Checkpoints;

namespace ActiveSynth.Scoring;

/// <summary>
/// Consumes <c>activesynth:score:requests</c> (group "scoring") and publishes a ScoreResult on
/// <c>activesynth:score:results</c> under the request's idempotency id. Scoring has no side effect besides that result,
/// so a redelivery at worst republishes the same result with the same id (which the consumer applies once).
/// A bad request or an unusable checkpoint is answered with a failure result (retrying cannot fix it); anything
/// else throws, so the entry stays pending and is retried, then dead-lettered.
/// </summary>
public sealed class ScoreRequestHandler(StudentScoringService scoring, IStreamPublisher publisher, ScoringMetrics metrics, ILogger<ScoreRequestHandler> logger)
    : IStreamHandler<ScoreRequest>
{
    public async Task HandleAsync(StreamMessage<ScoreRequest> message, CancellationToken ct)
    {
        var request = message.Payload;
        ScoreResult result;
        try
        {
            result = await scoring.ScoreAsync(request, "stream", ct).ConfigureAwait(false);
        }
        catch (InvalidRequestException ex)
        {
            metrics.Failed("invalid_request");
            logger.Rejected(request.RequestId, message.RunId, ex.Field, ex.Reason);
            result = scoring.Failure(request, $"invalid request: {ex.Message}");
        }
        catch (CheckpointException ex)
        {
            metrics.Failed(ex.IsMissing ? "checkpoint_missing" : "checkpoint_corrupted");
            logger.CheckpointUnusable(ex, request.RequestId, message.RunId);
            result = scoring.Failure(request, StudentScoringService.Describe(ex));
        }
        await publisher.PublishAsync(Streams.ScoreResults, result, message.RunId, message.Id, ct).ConfigureAwait(false);
    }
}
