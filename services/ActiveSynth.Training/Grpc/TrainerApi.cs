using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Student.Checkpoints;
using Grpc.Core;
using ActiveSynth.Workers.Training;
using ActiveSynth.Hosting.Security;

namespace ActiveSynth.Training.Grpc;

/// <summary>
/// Trainer.Evaluate: exact-match accuracy of a checkpoint on inline items or a JSONL test set. A bad field answers
/// InvalidArgument naming it; a missing checkpoint NotFound; a corrupted one FailedPrecondition. No exception text
/// reaches the client. Training itself runs only through the stream.
/// </summary>
[AllowRoles(DeploymentRoles.Operator, DeploymentRoles.Service)]
public sealed class TrainerApi(StudentTrainingService training) : Contracts.V1.Trainer.TrainerBase
{
    public override Task<EvaluateResponse> Evaluate(EvaluateRequest request, ServerCallContext context) =>
        training.EvaluateAsync(request, context.CancellationToken);
}
