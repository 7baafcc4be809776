using ActiveSynth.AppHost.Redis;
using ActiveSynth.AppHost.Workers;
using Microsoft.Extensions.Configuration;

namespace ActiveSynth.AppHost;

/// <summary>
/// The AppHost's own settings, read and checked once at start: a bad value fails here with the setting's name,
/// before anything is launched.
/// </summary>
/// <param name="LocalDeploymentFile">
/// Where the AppHost records the Selection service's address for the command line: <c>local-deployment.json</c> in
/// <c>ActiveSynth:StateDir</c>, else in the state directory of <see cref="Discovery.LocalDeploymentFile"/> (ACTIVESYNTH_STATE_DIR, XDG_STATE_HOME, ~/.local/state).
/// </param>
public sealed record ActiveSynthSettings(
    RedisMode RedisMode,
    string? RedisServerPath,
    string RedisDataDir,
    string RedisMaxMemory,
    string ArtifactsRoot,
    WorkerSettings Teacher,
    WorkerSettings Scoring,
    WorkerSettings Training,
    string LocalDeploymentFile)
{
    public IEnumerable<WorkerSettings> Workers => [Teacher, Scoring, Training];

    public static ActiveSynthSettings Read(IDistributedApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var dataRoot = Path.Combine(builder.AppHostDirectory, ".data");
        return new ActiveSynthSettings(
            RedisModeSelector.Choose(config, builder.ExecutionContext.IsPublishMode),
            NullIfEmpty(config["Redis:ServerPath"]),
            FullPath(config["Redis:DataDir"], Path.Combine(dataRoot, "redis"), builder.AppHostDirectory),
            MaxMemory(config["Redis:MaxMemory"]),
            FullPath(config["Artifacts:Root"], Path.Combine(dataRoot, "artifacts"), builder.AppHostDirectory),
            WorkerSettings.Read(config, "Teacher", builder.AppHostDirectory),
            WorkerSettings.Read(config, "Scoring", builder.AppHostDirectory),
            WorkerSettings.Read(config, "Training", builder.AppHostDirectory),
            string.IsNullOrWhiteSpace(config["ActiveSynth:StateDir"])
                ? Discovery.LocalDeploymentFile.PathFrom(Environment.GetEnvironmentVariable)
                : Path.Combine(Path.GetFullPath(config["ActiveSynth:StateDir"]!, builder.AppHostDirectory), Discovery.LocalDeploymentFile.FileName));
    }

    /// <summary>Default <c>maxmemory</c> of a Redis the AppHost starts: what a deployment of small runs needs many times over.</summary>
    public const string DefaultRedisMaxMemory = "1gb";

    /// <summary>
    /// <c>Redis:MaxMemory</c>: a size as redis-server reads it (<c>512mb</c>, <c>2gb</c>, bytes), at least 64 MB; the Redis the AppHost
    /// starts (executable or container) runs with it and <c>maxmemory-policy noeviction</c>, so Redis refuses writes at the limit
    /// instead of silently evicting run state.
    /// </summary>
    public static string MaxMemory(string? configured)
    {
        var value = string.IsNullOrWhiteSpace(configured) ? DefaultRedisMaxMemory : configured.Trim().ToLowerInvariant();
        var match = System.Text.RegularExpressions.Regex.Match(value, "^([0-9]{1,15})(b|k|kb|m|mb|g|gb)?$");
        if (!match.Success)
        {
            throw new InvalidOperationException($"Redis:MaxMemory must be a size such as 512mb or 2gb, got '{configured}'.");
        }
        var multiplier = match.Groups[2].Value switch
        {
            "k" => 1000L,
            "kb" => 1024L,
            "m" => 1000L * 1000,
            "mb" => 1024L * 1024,
            "g" => 1000L * 1000 * 1000,
            "gb" => 1024L * 1024 * 1024,
            _ => 1L,
        };
        var bytes = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * (double)multiplier;
        return bytes >= 64.0 * 1024 * 1024
            ? value
            : throw new InvalidOperationException($"Redis:MaxMemory must be at least 64mb (the services' streams and runs need room), got '{configured}'.");
    }

    private static string FullPath(string? configured, string fallback, string baseDir) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? fallback : configured, baseDir);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
