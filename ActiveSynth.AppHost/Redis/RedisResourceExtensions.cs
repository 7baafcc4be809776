using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace ActiveSynth.AppHost.Redis;

public static class RedisResourceExtensions
{
    public const string ResourceName = "redis";

    /// <summary>
    /// Redis in the mode chosen at start (see <see cref="RedisModeSelector"/>), explained in one line on the console.
    /// Every mode gives services the same connection string shape under <c>ConnectionStrings:redis</c>.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddActiveSynthRedis(this IDistributedApplicationBuilder builder, ActiveSynthSettings settings)
    {
        switch (settings.RedisMode)
        {
            case RedisMode.External:
                builder.Eventing.Subscribe<BeforeStartEvent>((_, ct) => ValidateExternalAsync(builder, ct));
                return builder.AddConnectionString(ResourceName);

            case RedisMode.Container:
                Console.WriteLine(builder.ExecutionContext.IsPublishMode
                    ? "[activesynth] Redis: container in the manifest (replace it with managed Redis through ConnectionStrings:redis when deploying)."
                    : "[activesynth] Redis: container (Aspire.Hosting.Redis), because a container runtime answered `info` or Redis:Mode=container.");
                var container = builder.AddRedis(ResourceName, port: null, password: Password(builder)).WithDataVolume();
                // The image's command line is built by Aspire.Hosting.Redis (no place for more arguments): the limit is set once
                // the server answers.
                builder.Eventing.Subscribe<ResourceReadyEvent>(container.Resource, (_, ct) => LimitMemoryAsync(container.Resource, settings.RedisMaxMemory, ct));
                return container;

            default:
                return builder.AddRedisServerExecutable(settings);
        }
    }

    private static IResourceBuilder<ParameterResource> Password(IDistributedApplicationBuilder builder) =>
        // No special characters: the password sits inside a comma-separated connection string.
        builder.AddParameter($"{ResourceName}-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

    private static IResourceBuilder<IResourceWithConnectionString> AddRedisServerExecutable(this IDistributedApplicationBuilder builder, ActiveSynthSettings settings)
    {
        var command = RedisServerLocator.Find(settings.RedisServerPath, typeof(RedisResourceExtensions).Assembly, out var searched)
            ?? throw new InvalidOperationException(
                $"Redis:Mode is executable but no redis-server was found (searched: {string.Join(", ", searched)}). " +
                "Fix one of: set Redis:ServerPath to a redis-server 7+ binary; build once so build/fetch-redis-server.sh fetches Debian's package; " +
                "install redis-server on PATH; set ConnectionStrings:redis for an external server; or use Redis:Mode=container with docker/podman.");
        Console.WriteLine($"[activesynth] Redis: local redis-server ({command}), loopback only, password from parameter '{ResourceName}-password', AOF on, maxmemory {settings.RedisMaxMemory} (noeviction), data in {settings.RedisDataDir}; no working container runtime was found (Redis:Mode=auto) or Redis:Mode=executable.");

        Directory.CreateDirectory(settings.RedisDataDir);
        var password = Password(builder);
        var resource = new RedisServerResource(ResourceName, command, settings.RedisDataDir, password.Resource);
        var configFile = Path.Combine(settings.RedisDataDir, "redis.conf");

        // The password goes into a private config file, not the command line, where ps and the dashboard would show it.
        builder.Eventing.Subscribe<BeforeStartEvent>(async (_, ct) =>
        {
            var secret = await password.Resource.GetValueAsync(ct);
            File.Delete(configFile);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // private from the first byte
            }
            await using var file = new StreamWriter(configFile, options);
            await file.WriteAsync($"requirepass {secret}\n");
        });

        var healthKey = $"{ResourceName}_ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthKey, _ => new RedisServerHealthCheck(resource), failureStatus: null, tags: null));

        return builder.AddResource(resource)
            .WithEndpoint(name: RedisServerResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(ctx =>
            {
                ctx.Args.Add(configFile);
                ctx.Args.Add("--port");
                ctx.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                ctx.Args.Add("--bind");
                ctx.Args.Add("127.0.0.1");
                ctx.Args.Add("--protected-mode");
                ctx.Args.Add("yes");
                ctx.Args.Add("--dir");
                ctx.Args.Add(settings.RedisDataDir);
                ctx.Args.Add("--appendonly");
                ctx.Args.Add("yes");
                ctx.Args.Add("--appendfsync");
                ctx.Args.Add("everysec");
                ctx.Args.Add("--save");
                ctx.Args.Add("");
                // Bounded: at the limit Redis refuses writes (the services see errors, the "redis-memory" health check warned
                // before) rather than evicting run state or growing until the machine swaps.
                ctx.Args.Add("--maxmemory");
                ctx.Args.Add(settings.RedisMaxMemory);
                ctx.Args.Add("--maxmemory-policy");
                ctx.Args.Add("noeviction");
            })
            .WithHealthCheck(healthKey);
    }

    /// <summary>
    /// <c>maxmemory</c> and <c>maxmemory-policy noeviction</c> on the container's server, as the executable gets them on its command
    /// line. An external server is the operator's to configure (managed Redis often refuses CONFIG).
    /// </summary>
    private static async Task LimitMemoryAsync(IResourceWithConnectionString resource, string maxMemory, CancellationToken ct)
    {
        var connectionString = await resource.GetConnectionStringAsync(ct) ?? throw new InvalidOperationException("The Redis container has no connection string.");
        var options = ConfigurationOptions.Parse(connectionString);
        options.AllowAdmin = true;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        await server.ConfigSetAsync("maxmemory", maxMemory);
        await server.ConfigSetAsync("maxmemory-policy", "noeviction");
        Console.WriteLine($"[activesynth] Redis container: maxmemory {maxMemory} (noeviction).");
    }

    /// <summary>An external server must answer before anything starts; the error names the setting to fix.</summary>
    private static async Task ValidateExternalAsync(IDistributedApplicationBuilder builder, CancellationToken ct)
    {
        var raw = builder.Configuration.GetConnectionString(ResourceName);
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new InvalidOperationException("Redis:Mode is external but ConnectionStrings:redis is empty: set it to host:port[,password=...].");
        }
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(raw);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"ConnectionStrings:redis is not a valid Redis connection string: {ex.Message}");
        }
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5000;
        var endpoints = string.Join(",", options.EndPoints.Select(e => e.ToString()));
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new InvalidOperationException($"ConnectionStrings:redis ({endpoints}) is unreachable or refused the credentials: {ex.GetType().Name}.");
        }
        ct.ThrowIfCancellationRequested();
        Console.WriteLine($"[activesynth] Redis: external server {endpoints} from ConnectionStrings:redis (answered PING).");
    }

    private sealed class RedisServerHealthCheck(RedisServerResource resource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            var endpoint = resource.PrimaryEndpoint;
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("endpoint not allocated yet");
            }
            var password = await resource.Password.GetValueAsync(ct);
            var problem = await RedisPing.TryAsync(endpoint.Host, endpoint.Port, password, TimeSpan.FromSeconds(3), ct);
            return problem is null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(problem);
        }
    }
}
