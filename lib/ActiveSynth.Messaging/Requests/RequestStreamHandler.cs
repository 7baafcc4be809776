using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Messaging.Requests;

/// <summary>
/// The worker side of request/reply over streams, the same for every kind of work: reads a request entry, asks the kind's
/// <see cref="IRequestHandler{TRequest,TReply}"/>, and publishes the reply on the route's reply stream under the request's
/// idempotency id and run. <see cref="RequestRegistration{TRequest}.Policy"/> decides whether a request already answered is
/// answered again, and whether replicas take turns on one id.
/// </summary>
public sealed class RequestStreamHandler<TRequest, TReply>(
    IRequestHandler<TRequest, TReply> handler,
    RequestRegistration<TRequest> registration,
    IStreamPublisher publisher,
    IServiceProvider services,
    ILogger<RequestStreamHandler<TRequest, TReply>> logger) : IStreamHandler<TRequest>
    where TRequest : IMessage<TRequest>, new()
    where TReply : IMessage<TReply>
{
    private const string Replied = "result";

    public async Task HandleAsync(StreamMessage<TRequest> message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (registration.Policy == ReplyPolicy.EveryDelivery)
        {
            await ReplyAsync(message, ct).ConfigureAwait(false);
            return;
        }
        // Resolved here, not injected: work replied to on every delivery needs no marker store.
        var idempotency = (IIdempotencyStore)(services.GetService(typeof(IIdempotencyStore))
            ?? throw new InvalidOperationException($"{registration.Route.RequestStream} replies {registration.Policy} but no {nameof(IIdempotencyStore)} is registered."));
        var marker = StreamKeys.EffectMarker(message.Stream, message.Group, message.Id, Replied);
        if (await idempotency.IsAppliedAsync(marker, ct).ConfigureAwait(false))
        {
            logger.AlreadyReplied(message.Stream, message.Id);
            return;
        }
        await using (await AcquireLeaseAsync(message.Id, ct).ConfigureAwait(false))
        {
            if (registration.Policy == ReplyPolicy.OnceUnderLease && await idempotency.IsAppliedAsync(marker, ct).ConfigureAwait(false))
            {
                logger.AlreadyReplied(message.Stream, message.Id); // the replica that held the lease answered it meanwhile
                return;
            }
            await ReplyAsync(message, ct).ConfigureAwait(false);
            // Marked after publishing: a crash in between publishes the same reply again under the same id, which the
            // requester applies once.
            await idempotency.ApplyOnceAsync(marker, _ => { }, ct: ct).ConfigureAwait(false);
        }
    }

    private async Task ReplyAsync(StreamMessage<TRequest> message, CancellationToken ct)
    {
        var reply = await handler.HandleAsync(message.Payload, message.Id, ct).ConfigureAwait(false);
        await publisher.PublishAsync(registration.Route.ReplyStream, reply, message.RunId, message.Id, ct).ConfigureAwait(false);
    }

    private async Task<IAsyncDisposable> AcquireLeaseAsync(string requestId, CancellationToken ct)
    {
        if (registration.Policy != ReplyPolicy.OnceUnderLease)
        {
            return NoLease.Instance;
        }
        var lease = services.GetService(typeof(IRequestLease)) as IRequestLease
            ?? throw new InvalidOperationException($"{registration.Route.RequestStream} replies {nameof(ReplyPolicy.OnceUnderLease)} but no {nameof(IRequestLease)} is registered.");
        return await lease.AcquireAsync(requestId, ct).ConfigureAwait(false);
    }

    private sealed class NoLease : IAsyncDisposable
    {
        public static readonly NoLease Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
