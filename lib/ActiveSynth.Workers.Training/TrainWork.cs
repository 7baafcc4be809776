using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Training;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Workers.Training;

/// <summary>
/// A loop's TrainRequest → TrainResult (round 0: the base and its evaluation), the same whether the request came over
/// <c>activesynth:train:requests</c> or in-process. Requests that retrying cannot fix (bad fields, missing or corrupted
/// checkpoints, a base that cannot be pretrained) are answered with a failure result; anything else throws.
/// </summary>
public sealed class TrainWork(StudentTrainingService training, TrainingMetrics metrics, ILogger<TrainWork> logger) : IWorkHandler<TrainRequest, TrainResult>
{
    public async Task<TrainResult> HandleAsync(TrainRequest request, string requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await training.TrainAsync(request, ct).ConfigureAwait(false);
        }
        catch (InvalidRequestException ex)
        {
            metrics.Failed("invalid_request");
            logger.Rejected(request.RequestId, request.RunId, ex.Field, ex.Reason);
            return Failure(request, $"invalid request: {ex.Message}");
        }
        catch (CheckpointException ex)
        {
            metrics.Failed(ex.IsMissing ? "checkpoint_missing" : "checkpoint_corrupted");
            var failure = Describe(ex);
            logger.RequestFailed(ex, request.RequestId, request.RunId, failure);
            return Failure(request, failure);
        }
        catch (BaseUnavailableException ex)
        {
            metrics.Failed("base_unavailable");
            logger.RequestFailed(ex, request.RequestId, request.RunId, ex.Message);
            return Failure(request, ex.Message);
        }
    }

    /// <summary>What a train or evaluate request answers when its checkpoint is missing or corrupted.</summary>
    public static string Describe(CheckpointException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.IsMissing
            ? $"checkpoint '{error.CheckpointPath}' was not found in the artifact store"
            : $"checkpoint '{error.CheckpointPath}' is corrupted (sha256 mismatch or unreadable file)";
    }

    private static TrainResult Failure(TrainRequest request, string failure) => new()
    {
        RunId = request.RunId,
        Round = request.Round,
        RequestId = request.RequestId,
        Failure = failure,
    };
}
