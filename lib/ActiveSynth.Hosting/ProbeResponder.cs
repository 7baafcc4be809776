using System.Diagnostics;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Messaging;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Hosting;

/// <summary>
/// Answers a probe from the Selection service through the same Redis and consumer machinery the work uses,
/// so a probe proves that this service kind is consuming, not just listening.
/// </summary>
public sealed class ProbeResponder(ServiceIdentity identity, IStreamPublisher publisher) : IStreamHandler<ProbeRequest>
{
    public async Task HandleAsync(StreamMessage<ProbeRequest> message, CancellationToken ct)
    {
        var targets = message.Payload.Targets;
        if (targets.Count > 0 && !targets.Contains(identity.Kind))
        {
            return;
        }
        var reply = new ProbeReply
        {
            ProbeId = message.Payload.ProbeId,
            Service = identity.Kind,
            Instance = identity.Instance,
            ReceivedAt = Timestamp.FromDateTime(DateTime.UtcNow),
            TraceId = Activity.Current?.TraceId.ToHexString() ?? "",
        };
        await publisher.PublishAsync(Streams.ProbeResults, reply, message.RunId, $"{message.Payload.ProbeId}/{identity.Kind}/{identity.Instance}", ct);
    }
}
