using System.Collections.Concurrent;

namespace ActiveSynth.Teachers.Validation;

/// <summary>
/// Question hashes already kept in a scope (a run), each owned by the sample that claimed it. Claiming the same
/// hash again for the same sample succeeds, so a redelivered request is not mistaken for a duplicate of itself.
/// </summary>
public interface ISeenQuestions
{
    /// <summary>True when <paramref name="sampleId"/> owns <paramref name="hash"/> in <paramref name="scope"/> (now or from before).</summary>
    Task<bool> TryClaimAsync(string scope, string hash, string sampleId, CancellationToken ct = default);
}

/// <summary>Process-local <see cref="ISeenQuestions"/>.</summary>
public sealed class InMemorySeenQuestions : ISeenQuestions
{
    private readonly ConcurrentDictionary<(string Scope, string Hash), string> _owners = new();

    public Task<bool> TryClaimAsync(string scope, string hash, string sampleId, CancellationToken ct = default) =>
        Task.FromResult(_owners.GetOrAdd((scope, hash), sampleId) == sampleId);
}
