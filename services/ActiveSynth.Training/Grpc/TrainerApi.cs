namespace ActiveSynth.Training.Grpc;

/// <summary>
/// Trainer.Evaluate. Training and evaluation arrive with the student (issue 6); until then the generated
/// base answers <c>Unimplemented</c>. The service already loads libtorch at start (health check "torch").
/// </summary>
public sealed class TrainerApi : Contracts.V1.Trainer.TrainerBase;
