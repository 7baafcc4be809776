using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;

namespace ActiveSynth.Selection.Probes;

/// <summary>Hands each worker's probe reply to the coordinator; replies to probes nobody waits for any more are acked and ignored.</summary>
public sealed class ProbeReplyHandler(ProbeCoordinator coordinator) : IStreamHandler<ProbeReply>
{
    public Task HandleAsync(StreamMessage<ProbeReply> message, CancellationToken ct)
    {
        coordinator.Accept(message.Payload);
        return Task.CompletedTask;
    }
}
