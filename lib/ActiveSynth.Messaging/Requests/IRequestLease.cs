namespace ActiveSynth.Messaging.Requests;

/// <summary>Exclusive hold on one request id across replicas, for <see cref="ReplyPolicy.OnceUnderLease"/>.</summary>
public interface IRequestLease
{
    /// <summary>Waits until this replica holds the lease of <paramref name="requestId"/>; dispose the result to release it.</summary>
    Task<IAsyncDisposable> AcquireAsync(string requestId, CancellationToken ct);
}
