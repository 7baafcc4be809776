using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Messaging.Requests;
using Google.Protobuf;

namespace ActiveSynth.Hosting;

/// <summary>
/// The loop's requests over Redis streams (<see cref="RequestClient"/> on the kind's <see cref="WorkRoutes"/>), with the loop's key as
/// the request id: a resumed run gets a stored reply without publishing again, and a request published twice is answered once.
/// </summary>
public sealed class StreamWorkTransport(string runId, RequestClient client, Func<WorkKind, TimeSpan> timeout) : IWorkTransport
{
    public async Task<TResult> RequestAsync<TRequest, TResult>(WorkKind kind, string key, TRequest request, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResult : IMessage<TResult>, new()
    {
        ArgumentNullException.ThrowIfNull(timeout);
        try
        {
            return await client.RequestAsync<TRequest, TResult>(WorkRoutes.For(kind), runId, key, request, timeout(kind), ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw new WorkerFailedException(ex.Message);
        }
    }

    public Task<TResult?> TryGetStoredAsync<TResult>(string runId, string key, CancellationToken ct) where TResult : IMessage<TResult>, new() =>
        client.TryGetReplyAsync<TResult>(runId, key);

    public Task ForgetAsync(string runId, IReadOnlyCollection<string> keys, CancellationToken ct) => client.ForgetRepliesAsync(runId, keys);
}
