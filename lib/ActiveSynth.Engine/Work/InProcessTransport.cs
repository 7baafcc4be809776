using System.Collections.Concurrent;
using ActiveSynth.Contracts.V1;
using Google.Protobuf;
using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Work;

/// <summary>
/// The in-process transport: a request goes straight to the same <see cref="IWorkHandler{TRequest,TResult}"/> a service's stream
/// consumer calls, and its result is kept by key (as the Selection service keeps results in Redis), so a key asked twice is
/// answered once. Requests and results still go through their protobuf bytes, as they would over a stream, so neither side
/// can share or mutate the other's objects.
/// </summary>
public sealed class InProcessTransport(
    IWorkHandler<ScoreRequest, ScoreResult> scoring,
    IWorkHandler<GenerateChunk, GenerateChunkResult> teacher,
    IWorkHandler<TrainRequest, TrainResult> training,
    IWorkHandler<JudgeRequest, JudgeResponse> judge) : IWorkTransport
{
    private readonly ConcurrentDictionary<string, byte[]> _results = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _answered = new();

    public async Task<TResult> RequestAsync<TRequest, TResult>(WorkKind kind, string key, TRequest request, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResult : IMessage<TResult>, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Stored<TResult>(key) is { } stored)
        {
            return stored;
        }
        IMessage result = kind switch
        {
            WorkKind.Score => await scoring.HandleAsync(Copy(request, ScoreRequest.Parser), key, ct).ConfigureAwait(false),
            WorkKind.Generate => await teacher.HandleAsync(Copy(request, GenerateChunk.Parser), key, ct).ConfigureAwait(false),
            WorkKind.Train => await training.HandleAsync(Copy(request, TrainRequest.Parser), key, ct).ConfigureAwait(false),
            WorkKind.Judge => await judge.HandleAsync(Copy(request, JudgeRequest.Parser), key, ct).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown work kind"),
        };
        var bytes = result.ToByteArray();
        _results[key] = bytes;
        _answered.Enqueue(key);
        return new MessageParser<TResult>(() => new TResult()).ParseFrom(bytes);
    }

    /// <summary>The keys of the requests answered so far, in order (what a deployment's request streams would have carried).</summary>
    public IReadOnlyCollection<string> AnsweredKeys => [.. _answered];

    public Task ForgetAsync(string runId, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            _results.TryRemove(key, out _);
        }
        return Task.CompletedTask;
    }

    public Task<TResult?> TryGetStoredAsync<TResult>(string runId, string key, CancellationToken ct) where TResult : IMessage<TResult>, new() =>
        Task.FromResult(Stored<TResult>(key));

    private TResult? Stored<TResult>(string key) where TResult : IMessage<TResult>, new() =>
        _results.TryGetValue(key, out var bytes) ? new MessageParser<TResult>(() => new TResult()).ParseFrom(bytes) : default;

    private static T Copy<T>(IMessage request, MessageParser<T> parser) where T : IMessage<T> =>
        request is T ? parser.ParseFrom(request.ToByteArray()) : throw new ArgumentException($"a {typeof(T).Name} was expected, got {request.GetType().Name}");
}
