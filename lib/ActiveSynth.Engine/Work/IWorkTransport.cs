using Google.Protobuf;
using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Work;

/// <summary>The kinds of loop work; each has one request and one result message in the contract.</summary>
public enum WorkKind
{
    Score,
    Generate,
    Train,

    /// <summary>The teacher's ratings for the judge and reward strategies.</summary>
    Judge,
}

/// <summary>
/// How a loop's requests reach their handlers and their results come back: Redis streams between services
/// (the Selection service's transport) or direct calls in one process (<see cref="InProcessTransport"/>). A transport
/// answers a key it has already answered with the stored result, so a resumed run does not do the work again.
/// </summary>
public interface IWorkTransport
{
    /// <summary>The result for <paramref name="key"/>: the stored one if there is one, else the request is sent and its result awaited.</summary>
    Task<TResult> RequestAsync<TRequest, TResult>(WorkKind kind, string key, TRequest request, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResult : IMessage<TResult>, new();

    /// <summary>The stored result of <paramref name="key"/> in run <paramref name="runId"/>, or null.</summary>
    Task<TResult?> TryGetStoredAsync<TResult>(string runId, string key, CancellationToken ct) where TResult : IMessage<TResult>, new();

    /// <summary>
    /// Drops the stored results of <paramref name="keys"/>: for work that is side-effect free (scoring), whose results the run has
    /// taken in and would simply ask for again after a crash, so they need not take up memory until the run ends.
    /// </summary>
    Task ForgetAsync(string runId, IReadOnlyCollection<string> keys, CancellationToken ct);
}

/// <summary>
/// One kind of loop work as a function from request to result, shared by the services' stream consumers and the in-process
/// transport. <paramref name="requestId"/> is the request's idempotency key. Problems that retrying cannot fix are answered
/// with a result carrying a failure; anything else throws.
/// </summary>
public interface IWorkHandler<TRequest, TResult>
    where TRequest : IMessage<TRequest>
    where TResult : IMessage<TResult>
{
    Task<TResult> HandleAsync(TRequest request, string requestId, CancellationToken ct);
}
