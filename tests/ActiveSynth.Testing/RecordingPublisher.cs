using ActiveSynth.Messaging;
using Google.Protobuf;

namespace ActiveSynth.Testing;

/// <summary>Records what a handler publishes, for tests that call the handler directly.</summary>
public sealed class RecordingPublisher : IStreamPublisher
{
    public List<(string Stream, IMessage Message, string RunId, string Id)> Entries { get; } = [];

    public Task<string> PublishAsync<T>(string stream, T message, string runId, string id, CancellationToken ct = default) where T : IMessage<T>
    {
        lock (Entries)
        {
            Entries.Add((stream, message, runId, id));
            return Task.FromResult($"{Entries.Count}-0");
        }
    }
}
