using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;

namespace ActiveSynth.Selection.Probes;

public static class ProbeHostingExtensions
{
    /// <summary>The probe coordinator and the consumer that hands it the workers' replies.</summary>
    public static IHostApplicationBuilder AddProbes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProbeCoordinator>();
        builder.AddStreamConsumer<ProbeReply, ProbeReplyHandler>(Streams.ProbeResults, group: ConsumerGroups.Selection);
        return builder;
    }
}
