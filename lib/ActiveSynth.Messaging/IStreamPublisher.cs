using Google.Protobuf;

namespace ActiveSynth.Messaging;

/// <summary>Appends typed messages to a Redis stream (XADD).</summary>
public interface IStreamPublisher
{
    /// <summary>
    /// Publishes <paramref name="message"/> to <paramref name="stream"/> inside a Producer span whose W3C
    /// context travels in the entry. Returns the Redis entry id once the server has accepted the entry.
    /// </summary>
    /// <param name="stream">Stream name (see protos/README.md for the contract's streams).</param>
    /// <param name="message">Payload.</param>
    /// <param name="runId">Run the message belongs to.</param>
    /// <param name="id">Idempotency key: consumers apply the effect of one id once, so republishing the same work must reuse it.</param>
    /// <param name="ct">Cancels waiting; the entry may still have been added.</param>
    Task<string> PublishAsync<T>(string stream, T message, string runId, string id, CancellationToken ct = default)
        where T : IMessage<T>;
}
