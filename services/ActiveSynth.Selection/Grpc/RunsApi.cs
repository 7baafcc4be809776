namespace ActiveSynth.Selection.Grpc;

/// <summary>
/// The Runs API (StartRun, GetRun, ListRuns, WatchRun, CancelRun, ResumeRun). The run state machine arrives
/// with issue 7; until then the generated base answers every call with <c>Unimplemented</c>.
/// </summary>
public sealed class RunsApi : Contracts.V1.Runs.RunsBase;
