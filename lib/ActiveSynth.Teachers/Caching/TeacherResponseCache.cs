using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Teachers.Caching;

/// <summary>
/// Where paid teacher replies are kept: an <see cref="IDistributedCache"/> (Redis in the Teacher service, memory in-process)
/// with the start marks of calls in progress next to it.
/// </summary>
/// <param name="Store">The replies, by request fingerprint.</param>
/// <param name="Marks">Start marks of calls in progress.</param>
/// <param name="TimeToLive">How long a reply is kept.</param>
public sealed record TeacherResponseCache(IDistributedCache Store, ICallStartMarks Marks, TimeSpan TimeToLive)
{
    /// <summary>A process-local cache (tests, tools).</summary>
    public static TeacherResponseCache InMemory() =>
        new(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())), new InMemoryCallStartMarks(), TimeSpan.FromDays(1));
}
