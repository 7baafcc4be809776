using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Work;

/// <summary>
/// What the loop's request workers need for one run besides the loop's arguments: its plan, its held-out test set in the
/// artifact store, the round tracer, and where each round's evaluation seconds go (the Train stage's wall time includes them).
/// </summary>
public sealed class RunWorkContext(string runId, RunPlan plan, ArtifactInfo testSet, IRoundTracer tracer, IDictionary<int, double> evalSeconds)
{
    public string RunId { get; } = runId;

    public RunPlan Plan { get; } = plan;

    public ArtifactInfo TestSet { get; } = testSet;

    public IRoundTracer Tracer { get; } = tracer;

    public IDictionary<int, double> EvalSeconds { get; } = evalSeconds;

    /// <summary>The teacher spec every generation request of the run carries (computed once).</summary>
    public TeacherSpec Teacher { get; } = plan.TeacherForRequests();

    /// <summary>Round 0's checkpoint, once known.</summary>
    public CheckpointRef? BaseCheckpoint { get; set; }
}
