using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Student.Checkpoints;
using Grpc.Core;
using ActiveSynth.Workers.Scoring;
using ActiveSynth.Hosting.Security;

namespace ActiveSynth.Scoring.Grpc;

/// <summary>
/// Scorer.Score for ad-hoc use: the same code path as the stream handler. A bad field answers InvalidArgument naming
/// it; a missing checkpoint NotFound; a corrupted one FailedPrecondition (the service's exception map). No exception text
/// reaches the client.
/// </summary>
[AllowRoles(DeploymentRoles.Operator, DeploymentRoles.Service)]
public sealed class ScorerApi(StudentScoringService scoring) : Contracts.V1.Scorer.ScorerBase
{
    public override Task<ScoreResult> Score(ScoreRequest request, ServerCallContext context) =>
        scoring.ScoreAsync(request, "grpc", context.CancellationToken);
}
