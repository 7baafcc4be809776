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
    int TeacherReplicas,
    int ScoringReplicas,
    int TrainingReplicas)
{
    public static ActiveSynthSettings Read(IDistributedApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var dataRoot = Path.Combine(builder.AppHostDirectory, ".data");
        return new ActiveSynthSettings(
            RedisModeSelector.Choose(config, builder.ExecutionContext.IsPublishMode),
            NullIfEmpty(config["Redis:ServerPath"]),
            FullPath(config["Redis:DataDir"], Path.Combine(dataRoot, "redis"), builder.AppHostDirectory),
            FullPath(config["Artifacts:Root"], Path.Combine(dataRoot, "artifacts"), builder.AppHostDirectory),
            Replicas(config, "Services:Teacher:Replicas"),
            Replicas(config, "Services:Scoring:Replicas"),
            Replicas(config, "Services:Training:Replicas"));
    }

    private static int Replicas(IConfiguration config, string key)
    {
        var raw = config[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return 1;
        }
        if (!int.TryParse(raw, out var replicas) || replicas is < 1 or > 32)
        {
            throw new InvalidOperationException($"{key} must be a whole number from 1 to 32, got '{raw}'.");
        }
        return replicas;
    }

    private static string FullPath(string? configured, string fallback, string baseDir) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? fallback : configured, baseDir);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
