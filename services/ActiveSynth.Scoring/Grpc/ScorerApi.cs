using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Student.Checkpoints;
using Grpc.Core;
using ActiveSynth.Workers.Scoring;

namespace ActiveSynth.Scoring.Grpc;

/// <summary>
/// Scorer.Score for ad-hoc use: the same code path as the stream handler. A bad field answers InvalidArgument naming
/// it; a missing checkpoint NotFound; a corrupted one FailedPrecondition. No exception text reaches the client.
/// </summary>
public sealed class ScorerApi(StudentScoringService scoring) : Contracts.V1.Scorer.ScorerBase
{
    public override async Task<ScoreResult> Score(ScoreRequest request, ServerCallContext context)
    {
        try
        {
            return await scoring.ScoreAsync(request, "grpc", context.CancellationToken);
        }
        catch (InvalidRequestException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (CheckpointException ex)
        {
            throw new RpcException(new Status(ex.IsMissing ? StatusCode.NotFound : StatusCode.FailedPrecondition, StudentScoringService.Describe(ex)));
        }
    }
}
