using ActiveSynth.ServiceDefaults;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Instrumentation.StackExchangeRedis;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// Aspire's service-defaults convention: AddServiceDefaults and MapDefaultEndpoints sit beside the host builder's own
// extensions, so every service's Program.cs finds them without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.Hosting;
#pragma warning restore IDE0130

/// <summary>
/// What every ActiveSynth service shares: OpenTelemetry (traces, metrics, logs over OTLP), gRPC health,
/// service discovery and resilience. Our own sources and meters are all named <c>ActiveSynth.*</c>.
/// </summary>
public static class Extensions
{
    /// <summary>Prefix of every ActivitySource and Meter of ours, so the dashboard shows them without a list.</summary>
    public const string TelemetryPrefix = "ActiveSynth.*";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddGrpcLimits();
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection(); // mapped by MapDefaultEndpoints only where Grpc:Reflection allows (Development by default)
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>
    /// Applies <see cref="GrpcLimitsOptions"/> (section <c>Grpc</c>, validated at start) to every gRPC service of the host.
    /// gRPC's own setup keeps a configured MaxReceiveMessageSize, so the order relative to AddGrpc does not matter.
    /// </summary>
    public static TBuilder AddGrpcLimits<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<GrpcLimitsOptions>()
            .BindConfiguration(GrpcLimitsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<GrpcLimitsOptions>>((grpc, limits) => grpc.MaxReceiveMessageSize = limits.Value.MaxReceiveMessageBytes);
        return builder;
    }

    /// <summary>
    /// gRPC over plain http needs HTTP/2 without TLS (h2c); Http1AndHttp2 would fall back to HTTP/1.1.
    /// </summary>
    public static WebApplicationBuilder UseGrpcOnlyKestrel(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http2));
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOptions<TelemetryOptions>()
            .BindConfiguration(TelemetryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Read by the Redis instrumentation when the tracer provider is built (its options are named options, default name). With a
        // Filter it keeps a span's commands until that span ends: ours end within a handler or a stage (a few hundred commands at most).
        builder.Services.AddOptions<StackExchangeRedisInstrumentationOptions>()
            .Configure<IOptions<TelemetryOptions>>((redis, telemetry) =>
            {
                var slow = telemetry.Value.SlowRedisCommand;
                redis.Filter = command => KeepRedisSpan(command, slow);
            });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetryPrefix)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(TelemetryPrefix)
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/grpc.health.v1.Health"))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRedisInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>
    /// Whether a profiled Redis command becomes a span (see <see cref="TelemetryOptions"/>): only under a parent span, and only when
    /// slow. Without a parent the command would start a trace of its own; the polls of idle consumers made thousands a minute.
    /// </summary>
    internal static bool KeepRedisSpan(RedisInstrumentationContext command, TimeSpan slowerThan) =>
        command.ParentActivity is not null && command.ProfiledCommand.ElapsedTime >= slowerThan;

    /// <summary>
    /// Maps grpc.health.v1.Health (fed by the health checks) and, in Development or with <c>Grpc:Reflection=true</c>, gRPC server
    /// reflection (<see cref="GrpcLimitsOptions.Reflection"/>).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        if (ServesReflection(app.Services.GetRequiredService<IOptions<GrpcLimitsOptions>>().Value, app.Environment))
        {
            app.MapGrpcReflectionService();
        }
        return app;
    }

    /// <summary>Whether reflection is served: <see cref="GrpcLimitsOptions.Reflection"/> when set, else only in Development.</summary>
    public static bool ServesReflection(GrpcLimitsOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        return options.Reflection ?? environment.IsDevelopment();
    }
}
