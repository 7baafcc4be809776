using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Engine;
using ActiveSynth.Messaging;
using ActiveSynth.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every ActiveSynth service needs besides telemetry: Redis, the stream publisher, the artifact store and the probe responder.</summary>
public static class WorkerDefaults
{
    /// <summary>
    /// Registers the pieces shared by Selection, Scoring, Teacher and Training. <paramref name="serviceKind"/> is the
    /// service's consumer group on the probe stream, so every kind answers every probe (fan-out by groups).
    /// </summary>
    public static TBuilder AddActiveSynthService<TBuilder>(this TBuilder builder, string serviceKind) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(ServiceIdentity.ForCurrentProcess(serviceKind));
        builder.AddRedisConnection();
        builder.AddStreamPublisher();
        builder.AddArtifactStore();
        if (serviceKind != ConsumerGroups.Selection)
        {
            builder.AddStreamConsumer<ProbeRequest, ProbeResponder>(Streams.ProbeRequests, group: serviceKind);
        }
        return builder;
    }

    public static TBuilder AddArtifactStore<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<ArtifactStoreOptions>()
            .BindConfiguration(ArtifactStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new ArtifactStore(sp.GetRequiredService<IOptions<ArtifactStoreOptions>>().Value.Root));
        return builder;
    }
}
