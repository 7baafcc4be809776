namespace ActiveSynth.Messaging;

/// <summary>The (stream, group) pairs this host consumes: what the maintenance job watches and trims.</summary>
internal sealed class ConsumerRegistry
{
    private readonly List<(string Stream, string Group)> _consumers = [];

    public IReadOnlyList<(string Stream, string Group)> Consumers => _consumers;

    public IEnumerable<string> Streams => _consumers.Select(c => c.Stream).Distinct(StringComparer.Ordinal);

    public void Add(string stream, string group)
    {
        if (_consumers.Contains((stream, group)))
        {
            throw new InvalidOperationException(
                $"A consumer of stream '{stream}' in group '{group}' is already registered; raise its Concurrency instead of registering it twice.");
        }
        _consumers.Add((stream, group));
    }
}
