using StackExchange.Redis;

namespace ActiveSynth.Messaging.Requests;

/// <summary>Where a requester keeps the replies it received, and how its waiters hear about a new one.</summary>
public static class ReplyKeys
{
    /// <summary>Pub/sub channel announcing a newly stored reply (message: the reply's key).</summary>
    public static readonly RedisChannel StoredChannel = RedisChannel.Literal("activesynth:replies:stored");

    /// <summary>The stored reply to request <paramref name="requestId"/> of run <paramref name="runId"/>.</summary>
    public static string Reply(string runId, string requestId) => $"activesynth:run:{runId}:result:{requestId}";
}
