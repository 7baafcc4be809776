using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Runs;
using ActiveSynth.Selection.Telemetry;

namespace ActiveSynth.Selection.Workers;

/// <summary>What the stream workers of one run need besides the loop's arguments: the spec's worker parts, the test set, the round tracer, the run's metadata.</summary>
public sealed record RunWorkContext(string RunId, RunSpec Spec, ArtifactInfo TestSet, RoundTracer Tracer, RunMeta Meta);
