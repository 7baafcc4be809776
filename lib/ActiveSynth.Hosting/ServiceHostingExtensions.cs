using Microsoft.Extensions.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.Security;
using ActiveSynth.Hosting.Artifacts;
using ActiveSynth.Hosting.Security;
using ActiveSynth.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Hosting;

/// <summary>What every ActiveSynth service needs besides ServiceDefaults: Redis, the stream publisher, the artifact store and the probe responder.</summary>
public static class ServiceHostingExtensions
{
    /// <summary>
    /// Registers the pieces shared by Selection, Scoring, Teacher and Training. <paramref name="serviceKind"/> is the
    /// service's consumer group on the probe stream, so every kind answers every probe (fan-out by groups).
    /// </summary>
    public static TBuilder AddActiveSynthService<TBuilder>(this TBuilder builder, string serviceKind) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(ServiceIdentity.ForCurrentProcess(serviceKind));
        builder.Services.AddDeploymentSecurity();
        builder.AddRedis();
        builder.AddStreamPublisher();
        builder.AddArtifactStore();
        if (serviceKind != ConsumerGroups.Selection)
        {
            builder.AddStreamConsumer<ProbeRequest, ProbeResponder>(Streams.ProbeRequests, group: serviceKind);
        }
        return builder;
    }

    /// <summary>
    /// The Redis connection through Aspire's client integration (<c>ConnectionStrings:redis</c>, health check, logging). A service
    /// starts even while Redis is down and reconnects soon after a restart; consumers retry with backoff meanwhile. Tracing stays
    /// with ServiceDefaults: the integration's own instrumentation ignores its filter (only commands under a span, only slow
    /// ones), and an idle deployment then started about 2,500 traces a minute from consumer polls. An external Redis over TLS is
    /// <c>ssl=true</c> in the connection string; a server certificate from the deployment's own CA is trusted with <c>Security:TrustedCaPath</c>.
    /// </summary>
    public static TBuilder AddRedis<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var trustedCa = builder.Configuration[$"{DeploymentSecurityOptions.SectionName}:{nameof(DeploymentSecurityOptions.TrustedCaPath)}"];
        builder.AddRedisClient("redis", settings => settings.DisableTracing = true, options =>
        {
            options.AbortOnConnectFail = false;
            options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
            if (!string.IsNullOrWhiteSpace(trustedCa))
            {
                options.TrustIssuer(trustedCa);
            }
        });
        return builder;
    }

    /// <summary>
    /// The artifact store (<c>Artifacts:Root</c>): the deployment's shared folder, or with <c>Artifacts:Remote</c> this replica's own
    /// folder kept in step with the deployment's artifact service over gRPC.
    /// </summary>
    public static TBuilder AddArtifactStore<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<ArtifactStoreOptions>()
            .BindConfiguration(ArtifactStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // The factory's client without the standard resilience handler (ServiceDefaults), which would time out long downloads and
        // retry uploads: the store's callers retry by redelivery.
#pragma warning disable EXTEXP0001 // experimental in Microsoft.Extensions.Http.Resilience; the documented way to opt one client out
        // It presents Security:ClientKey (a worker's key) and trusts Security:TrustedCaPath: the artifact service of a deployment on
        // another host is HTTPS with the deployment's certificate.
        builder.Services.AddGrpcClient<Contracts.V1.Artifacts.ArtifactsClient>((sp, client) =>
                client.Address = new Uri(sp.GetRequiredService<IOptions<ArtifactStoreOptions>>().Value.Remote!))
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var security = sp.GetRequiredService<IOptions<DeploymentSecurityOptions>>().Value;
                var remote = new Uri(sp.GetRequiredService<IOptions<ArtifactStoreOptions>>().Value.Remote!);
                return new DeploymentCredential(NullIfEmpty(security.ClientKey), NullIfEmpty(security.TrustedCaPath)).CreateHandler(remote);
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ArtifactStoreOptions>>().Value;
            return new ArtifactStore(options.Root, string.IsNullOrWhiteSpace(options.Remote)
                ? null
                : new GrpcArtifactRemote(sp.GetRequiredService<Contracts.V1.Artifacts.ArtifactsClient>(), new Uri(options.Remote)));
        });
        return builder;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
