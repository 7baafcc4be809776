using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Messaging.Tests.Support;

/// <summary>What a test's handler does; one instance is shared by all hosts of a test.</summary>
public sealed class Probe
{
    public Func<StreamMessage<StringValue>, IServiceProvider, CancellationToken, Task> Behavior { get; set; } = (_, _, _) => Task.CompletedTask;
}

/// <summary>The handler under test: delegates to the test's <see cref="Probe"/>.</summary>
public sealed class ProbeHandler(Probe probe, IServiceProvider services) : IStreamHandler<StringValue>
{
    public Task HandleAsync(StreamMessage<StringValue> message, CancellationToken ct) => probe.Behavior(message, services, ct);
}
