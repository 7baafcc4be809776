using ActiveSynth.Messaging;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// Redis keys of the Selection service. Everything of a run is prefixed by its id (<see cref="Prefix"/>), so concurrent runs never
/// share a key. What a run leaves in Redis, and what goes when (<see cref="RedisRunStore"/>):
/// <list type="bullet">
/// <item>kept while the run exists: <see cref="Spec"/>, <see cref="State"/>, <see cref="Meta"/>, <see cref="Events"/>,
/// <see cref="EventSequence"/> and its entry in <see cref="Index"/> (GetRun, WatchRun and the report read them);</item>
/// <item>transient, deleted when the run finishes: every other key under <see cref="Prefix"/> (the stored replies
/// <c>activesynth:run:&lt;id&gt;:result:&lt;request id&gt;</c>), the teacher's <see cref="TeacherSeenQuestions"/>, and every key
/// named after one of the run's request ids (they all start with <c>&lt;id&gt;/</c>, see <see cref="RequestKeysPattern"/>):
/// the streams' done and applied markers and the workers' leases.</item>
/// </list>
/// </summary>
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

    /// <summary>The prefix of every key of the run (<c>activesynth:run:&lt;id&gt;:</c>).</summary>
    public static string Prefix(string runId) => $"activesynth:run:{runId}:";

    /// <summary>SCAN pattern of every key under <see cref="Prefix"/>.</summary>
    public static string PrefixPattern(string runId) => RedisKeyDeleter.EscapePattern(Prefix(runId)) + "*";

    /// <summary>
    /// SCAN pattern of the keys named after one of the run's request ids (<c>&lt;id&gt;/&lt;round&gt;/...</c>): the done and
    /// applied markers of every stream (<c>&lt;stream&gt;:done:&lt;group&gt;:&lt;request id&gt;</c>,
    /// <c>&lt;stream&gt;:applied:&lt;group&gt;:&lt;request id&gt;:&lt;effect&gt;</c>) and the workers' leases
    /// (<c>activesynth:training:lease:&lt;request id&gt;</c>). A run id has no <c>:</c> or <c>/</c>, so no other run's key matches.
    /// </summary>
    public static string RequestKeysPattern(string runId) => "*:" + RedisKeyDeleter.EscapePattern(runId) + "/*";

    /// <summary>SCAN patterns of the streams' done and applied markers of the run's requests (not its leases).</summary>
    public static IReadOnlyList<string> MarkerPatterns(string runId) =>
    [
        "*:done:*:" + RedisKeyDeleter.EscapePattern(runId) + "/*",
        "*:applied:*:" + RedisKeyDeleter.EscapePattern(runId) + "/*",
    ];

    /// <summary>
    /// The teachers' duplicate check of the run (a hash, written by the .NET and the Python teacher with the run id as scope):
    /// the one key of a run outside <see cref="Prefix"/> not named after a request id, so it is deleted by name.
    /// </summary>
    public static string TeacherSeenQuestions(string runId) => $"activesynth:teacher:seen:{runId}";

    /// <summary>The keys kept when the run finishes: what GetRun, WatchRun, ListRuns and the report read.</summary>
    public static IReadOnlySet<string> Durable(string runId) =>
        new HashSet<string>(StringComparer.Ordinal) { Spec(runId), State(runId), Meta(runId), Events(runId), EventSequence(runId) };

    /// <summary>Marker of the default run of one spec (SET NX): a deployment starts it once.</summary>
    public static string DefaultRunMarker(string specHash) => $"activesynth:selection:default-run:{specHash}";
}
