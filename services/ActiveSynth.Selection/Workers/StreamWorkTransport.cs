using ActiveSynth.Contracts;
using ActiveSynth.Engine;
using ActiveSynth.Messaging;
using ActiveSynth.Selection.Options;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Selection.Workers;

/// <summary>
/// The loop's requests over Redis streams: a request is published on its kind's request stream with the loop's key as idempotency
/// id, and its result is awaited where <see cref="StoredResultHandler{T}"/> stores it. A result already stored (a resumed run) is
/// used without publishing again; otherwise the request is (re-)published with the same id, which workers deduplicate.
/// </summary>
public sealed class StreamWorkTransport(string runId, IStreamPublisher publisher, ResultWaiter waiter, IOptions<SelectionOptions> options) : IWorkTransport
{
    public async Task<TResult> RequestAsync<TRequest, TResult>(WorkKind kind, string key, TRequest request, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResult : IMessage<TResult>, new()
    {
        if (await waiter.TryGetAsync<TResult>(runId, key).ConfigureAwait(false) is { } stored)
        {
            return stored;
        }
        var (stream, timeout) = Route(kind);
        await publisher.PublishAsync(stream, request, runId, key, ct).ConfigureAwait(false);
        return await waiter.WaitAsync<TResult>(runId, key, stream, timeout, ct).ConfigureAwait(false);
    }

    public Task<TResult?> TryGetStoredAsync<TResult>(string runId, string key, CancellationToken ct) where TResult : IMessage<TResult>, new() =>
        waiter.TryGetAsync<TResult>(runId, key);

    private (string Stream, TimeSpan Timeout) Route(WorkKind kind) => kind switch
    {
        WorkKind.Score => (Streams.ScoreRequests, options.Value.ScoreTimeout),
        WorkKind.Generate => (Streams.GenerateRequests, options.Value.GenerateTimeout),
        WorkKind.Train => (Streams.TrainRequests, options.Value.TrainTimeout),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown work kind"),
    };
}
