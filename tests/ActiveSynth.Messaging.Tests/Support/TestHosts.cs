using ActiveSynth.Hosting;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.Messaging.Tests.Support;

/// <summary>Builds and starts real hosts the way a service does (Aspire's AddRedisClient, AddStreamConsumer, ...).</summary>
public static class TestHosts
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    public static async Task<IHost> StartAsync(string connectionString, Action<HostApplicationBuilder> configure,
        IDictionary<string, string?>? settings = null)
    {
        var host = Build(connectionString, configure, settings);
        using var cts = new CancellationTokenSource(StartTimeout);
        await host.StartAsync(cts.Token);
        return host;
    }

    public static IHost Build(string? connectionString, Action<HostApplicationBuilder> configure, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (connectionString is not null)
        {
            values["ConnectionStrings:redis"] = connectionString;
        }
        builder.Configuration.AddInMemoryCollection(values);
        if (connectionString is not null)
        {
            builder.AddRedis(); // the services' own Redis registration (Aspire's client)
        }
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        configure(builder);
        return builder.Build();
    }

    /// <summary>A consumer host for <paramref name="stream"/> in group "g" with fast test timings.</summary>
    public static Task<IHost> StartConsumerAsync(string connectionString, string stream, Probe probe,
        Action<StreamConsumerOptions>? configure = null, string group = "g") =>
        StartAsync(connectionString, builder =>
        {
            builder.Services.AddSingleton(probe);
            builder.AddStreamConsumer<StringValue, ProbeHandler>(stream, group, options =>
            {
                options.PollInterval = TimeSpan.FromMilliseconds(10);
                options.ClaimIdleTime = TimeSpan.FromMilliseconds(500);
                options.MaxReconnectBackoff = TimeSpan.FromMilliseconds(500);
                options.StopGracePeriod = TimeSpan.FromMilliseconds(200);
                configure?.Invoke(options);
            });
        });

    public static Task<IHost> StartPublisherAsync(string connectionString) =>
        StartAsync(connectionString, builder => builder.AddStreamPublisher());

    public static async Task StopAllAsync(params IHost[] hosts)
    {
        foreach (var host in hosts)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await host.StopAsync(cts.Token);
            host.Dispose();
        }
    }
}
