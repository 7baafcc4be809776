namespace ActiveSynth.Scoring.Grpc;

/// <summary>
/// Scorer.Score. Scoring arrives with the student (issue 6); until then the generated base answers
/// <c>Unimplemented</c>. The service already loads libtorch at start (health check "torch").
/// </summary>
public sealed class ScorerApi : Contracts.V1.Scorer.ScorerBase;
