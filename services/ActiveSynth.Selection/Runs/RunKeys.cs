namespace ActiveSynth.Selection.Runs;

/// <summary>Redis keys of the Selection service. Everything of a run is prefixed by its id, so concurrent runs never share a key.</summary>
public static class RunKeys
{
    /// <summary>Sorted set of run ids scored by creation time (unix ms).</summary>
    public const string Index = "activesynth:runs:index";

    public static string Spec(string runId) => $"activesynth:run:{runId}:spec";

    public static string State(string runId) => $"activesynth:run:{runId}:state";

    public static string Meta(string runId) => $"activesynth:run:{runId}:meta";

    /// <summary>The run's own event log (stream with ids <c>0-&lt;sequence&gt;</c>), read by WatchRun.</summary>
    public static string Events(string runId) => $"activesynth:run:{runId}:events";

    public static string EventSequence(string runId) => $"activesynth:run:{runId}:seq";

    /// <summary>Marker of the default run of one spec (SET NX): a deployment starts it once.</summary>
    public static string DefaultRunMarker(string specHash) => $"activesynth:selection:default-run:{specHash}";
}
