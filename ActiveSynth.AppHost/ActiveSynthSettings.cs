using ActiveSynth.Hosting.Workers;
using Microsoft.Extensions.Configuration;

namespace ActiveSynth.Hosting;

/// <summary>
/// The AppHost's own settings, read and checked once at start: a bad value fails here with the setting's name,
/// before anything is launched.
/// </summary>
public sealed record ActiveSynthSettings(
    RedisMode RedisMode,
    string? RedisServerPath,
    string RedisDataDir,
    string ArtifactsRoot,
    WorkerSettings Teacher,
    WorkerSettings Scoring,
    WorkerSettings Training)
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
            FullPath(config["Artifacts:Root"], Path.Combine(dataRoot, "artifacts"), builder.AppHostDirectory),
            WorkerSettings.Read(config, "Teacher", builder.AppHostDirectory),
            WorkerSettings.Read(config, "Scoring", builder.AppHostDirectory),
            WorkerSettings.Read(config, "Training", builder.AppHostDirectory));
    }

    private static string FullPath(string? configured, string fallback, string baseDir) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? fallback : configured, baseDir);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
