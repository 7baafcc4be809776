using Google.Protobuf;

namespace ActiveSynth.Messaging.Requests;

/// <summary>
/// A worker's answer to one kind of request: <see cref="RequestStreamHandler{TRequest,TReply}"/> calls it for each request entry
/// and publishes what it returns as the reply, under the request's idempotency id. <paramref name="requestId"/> is that id.
/// Throwing leaves the request pending (retried, then dead-lettered); problems that retrying cannot fix belong in the reply.
/// </summary>
public interface IRequestHandler<TRequest, TReply>
    where TRequest : IMessage<TRequest>
    where TReply : IMessage<TReply>
{
    Task<TReply> HandleAsync(TRequest request, string requestId, CancellationToken ct);
}
