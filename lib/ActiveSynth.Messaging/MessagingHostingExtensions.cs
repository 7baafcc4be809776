using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// One-line registration of the publisher and stream consumers. The Redis connection is the host's own (Aspire's
/// <c>AddRedisClient("redis")</c>, with its health check and logging); a host that adds streams before it
/// registers one is stopped at that call, saying so.
/// </summary>
public static class MessagingHostingExtensions
{
    /// <summary>Configuration section of a consumer group's options: <c>Messaging:Consumers:&lt;group&gt;</c>.</summary>
    public const string ConsumersSection = "Messaging:Consumers";

    /// <summary>Configuration section of the maintenance job's options.</summary>
    public const string MaintenanceSection = "Messaging:Maintenance";

    /// <summary>
    /// Registers the health check "redis-memory" (<see cref="RedisMemoryHealthCheck"/>, tagged "ready"): Degraded when Redis's
    /// used memory passes <c>Messaging:RedisMemory:DegradedAbove</c> of its <c>maxmemory</c>. Options are validated at start.
    /// One service of a deployment registering it is enough (Selection does).
    /// </summary>
    public static IHostApplicationBuilder AddRedisMemoryHealthCheck(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RedisMemoryOptions>().BindConfiguration(RedisMemoryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHealthChecks().AddCheck<RedisMemoryHealthCheck>("redis-memory", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="IStreamPublisher"/> (singleton) over the host's <see cref="IConnectionMultiplexer"/>.
    /// </summary>
    public static IHostApplicationBuilder AddStreamPublisher(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddCore(builder.Services);
        builder.Services.TryAddSingleton<IStreamPublisher, RedisStreamPublisher>();
        return builder;
    }

    /// <summary>
    /// Declares a competing consumer of <paramref name="stream"/> in consumer group <paramref name="group"/>
    /// handled by <typeparamref name="THandler"/>. The handler is registered scoped and resolved from a new
    /// scope per message (so it can depend on scoped services); register it yourself beforehand to choose
    /// another lifetime. Options come from <c>Messaging:Consumers:&lt;group&gt;</c>, then
    /// <paramref name="configure"/>, and are validated when the host starts. Also registers
    /// <see cref="IIdempotencyStore"/>, <see cref="StreamTrimmer"/> and the maintenance job (gauges, trimming).
    /// </summary>
    public static IHostApplicationBuilder AddStreamConsumer<TMessage, THandler>(this IHostApplicationBuilder builder,
        string stream, string group, Action<StreamConsumerOptions>? configure = null)
        where TMessage : class, IMessage<TMessage>, new()
        where THandler : class, IStreamHandler<TMessage>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(stream);
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        var services = builder.Services;
        AddCore(services);
        Registry(services).Add(stream, group);

        var optionsName = $"{stream}|{group}";
        var optionsBuilder = services.AddOptions<StreamConsumerOptions>(optionsName)
            .Bind(builder.Configuration.GetSection($"{ConsumersSection}:{group}"));
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }
        optionsBuilder
            .PostConfigure(options =>
            {
                if (string.IsNullOrWhiteSpace(options.ConsumerName))
                {
                    options.ConsumerName = DefaultConsumerName();
                }
            })
            .ValidateDataAnnotations()
            .Validate(options => options.ClaimIdleTime > options.PollInterval, "ClaimIdleTime must be longer than PollInterval.")
            .ValidateOnStart();

        services.TryAddScoped<THandler>();
        // Added directly (not AddHostedService) so that two consumers with the same handler type on different
        // streams are both registered: AddHostedService would de-duplicate them by implementation type.
        services.AddSingleton<IHostedService>(sp =>
        {
            // Read once: a consumer keeps its name for its whole life even if configuration reloads.
            var options = sp.GetRequiredService<IOptionsMonitor<StreamConsumerOptions>>().Get(optionsName);
            var context = new ConsumerContext(sp.GetRequiredService<IConnectionMultiplexer>(), stream, group, options,
                sp.GetRequiredService<MessagingMetrics>(), sp.GetRequiredService<ILogger<StreamConsumer<TMessage, THandler>>>());
            return new StreamConsumer<TMessage, THandler>(context, sp.GetRequiredService<IServiceScopeFactory>());
        });
        return builder;
    }

    private static void AddCore(IServiceCollection services)
    {
        // Checked here, where the mistake is made, rather than when the host resolves a consumer it cannot build.
        if (!services.Any(d => d.ServiceType == typeof(IConnectionMultiplexer)))
        {
            throw new InvalidOperationException(MissingConnection);
        }
        services.AddMetrics();
        services.TryAddSingleton<MessagingMetrics>();
        services.TryAddSingleton<ConsumerGroupGauges>();
        services.TryAddSingleton<IIdempotencyStore, RedisIdempotencyStore>();
        services.TryAddSingleton<StreamTrimmer>();
    }

    private static ConsumerRegistry Registry(IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(ConsumerRegistry))?.ImplementationInstance is ConsumerRegistry existing)
        {
            return existing;
        }
        var registry = new ConsumerRegistry();
        services.AddSingleton(registry);
        services.AddOptions<StreamMaintenanceOptions>()
            .BindConfiguration(MaintenanceSection)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHostedService<StreamMaintenanceService>();
        return registry;
    }

    private static string DefaultConsumerName() =>
        $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    private const string MissingConnection =
        "Messaging needs a Redis connection and none is registered: call builder.AddRedisClient(\"redis\") (Aspire.StackExchange.Redis, " +
        "ConnectionStrings:redis) before adding stream publishers or consumers.";
}
