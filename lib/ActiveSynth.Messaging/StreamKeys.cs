using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// Names of the Redis keys the library derives from a stream name. Kept in one place so that operators
/// (and tests) can find a stream's dead letters and idempotency markers without reading the code.
/// </summary>
public static class StreamKeys
{
    /// <summary>Dead-letter stream of <paramref name="stream"/>: <c>&lt;stream&gt;:dead</c>.</summary>
    public static string DeadLetter(string stream) => stream + ":dead";

    /// <summary>
    /// The pub/sub channel a publisher signals after adding to <paramref name="stream"/>: its consumers wake at once instead of
    /// at their next poll. A lost signal only delays an entry by one poll interval; the stream itself is the record.
    /// </summary>
    public static RedisChannel WakeChannel(string stream) => RedisChannel.Literal(stream + ":wake");

    /// <summary>
    /// Marker the consumer sets, atomically with XACK, once a group's handler has completed for a message id;
    /// a later entry with the same id is acked without running the handler again.
    /// </summary>
    public static string DoneMarker(string stream, string group, string id) => $"{stream}:done:{group}:{id}";

    /// <summary>
    /// Marker that <see cref="IIdempotencyStore"/> commits in the same transaction as a handler's effect.
    /// <paramref name="effect"/> separates several effects of one handler.
    /// </summary>
    public static string EffectMarker(string stream, string group, string id, string effect) =>
        $"{stream}:applied:{group}:{id}:{effect}";
}
