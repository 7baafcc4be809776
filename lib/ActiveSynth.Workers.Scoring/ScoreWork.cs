using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Student.Checkpoints;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Workers.Scoring;

/// <summary>
/// A loop's ScoreRequest → ScoreResult, the same whether the request came over <c>activesynth:score:requests</c> or in-process.
/// A bad request or an unusable checkpoint is answered with a failure result (retrying cannot fix it); anything else throws,
/// so a stream entry stays pending and is retried, then dead-lettered. Scoring has no side effect besides its result.
/// </summary>
public sealed class ScoreWork(StudentScoringService scoring, ScoringMetrics metrics, ILogger<ScoreWork> logger) : IWorkHandler<ScoreRequest, ScoreResult>
{
    public async Task<ScoreResult> HandleAsync(ScoreRequest request, string requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await scoring.ScoreAsync(request, "loop", ct).ConfigureAwait(false);
        }
        catch (InvalidRequestException ex)
        {
            metrics.Failed("invalid_request");
            logger.Rejected(request.RequestId, request.RunId, ex.Field, ex.Reason);
            return scoring.Failure(request, $"invalid request: {ex.Message}");
        }
        catch (CheckpointException ex)
        {
            metrics.Failed(ex.IsMissing ? "checkpoint_missing" : "checkpoint_corrupted");
            logger.CheckpointUnusable(ex, request.RequestId, request.RunId);
            return scoring.Failure(request, StudentScoringService.Describe(ex));
        }
    }
}
