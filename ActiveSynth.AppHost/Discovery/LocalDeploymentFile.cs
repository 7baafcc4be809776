using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActiveSynth.AppHost.Discovery;

/// <summary>
/// Where a local deployment says how to reach it: a small JSON file, <c>&lt;state dir&gt;/local-deployment.json</c>, that the
/// AppHost writes once the Selection service's endpoint is allocated and deletes when it stops, and that the command line reads
/// when it is given no <c>--server</c> and no <c>ACTIVESYNTH_SERVER</c>. It records the AppHost's process id and start time, so
/// a file left behind by a killed AppHost is recognised as stale instead of sending the command line to a dead address.
/// </summary>
/// <remarks>
/// One source for both ends: the AppHost compiles it, and tools/ActiveSynth.Cli links it, so the path and the format cannot drift.
/// The state directory: <c>$ACTIVESYNTH_STATE_DIR</c>, else <c>$XDG_STATE_HOME/activesynth</c>, else
/// <c>~/.local/state/activesynth</c> (the AppHost's setting <c>ActiveSynth:StateDir</c> comes before all three).
/// </remarks>
internal static class LocalDeploymentFile
{
    public const string FileName = "local-deployment.json";

    /// <summary>The environment variable that moves the state directory (for the AppHost and the command line alike).</summary>
    public const string StateDirVariable = "ACTIVESYNTH_STATE_DIR";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The state directory from <paramref name="environment"/> (a variable's value, or null).</summary>
    public static string StateDirectory(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (NonEmpty(environment(StateDirVariable)) is { } explicitDir)
        {
            return Path.GetFullPath(explicitDir);
        }
        if (NonEmpty(environment("XDG_STATE_HOME")) is { } xdg && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "activesynth");
        }
        var home = NonEmpty(environment("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "state", "activesynth");
    }

    /// <summary>The file's path from <paramref name="environment"/>.</summary>
    public static string PathFrom(Func<string, string?> environment) => Path.Combine(StateDirectory(environment), FileName);

    /// <summary>Writes <paramref name="deployment"/> to <paramref name="path"/> whole (a temporary file renamed over it).</summary>
    public static void Write(string path, LocalDeployment deployment)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(deployment, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The deployment recorded in <paramref name="path"/>; null when there is no file. Throws <see cref="JsonException"/> when it does not parse.</summary>
    public static LocalDeployment? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        return JsonSerializer.Deserialize<LocalDeployment>(text, Json) ?? throw new JsonException("the file holds null");
    }

    /// <summary>Deletes <paramref name="path"/> if it still records this process (a newer AppHost may have written it since).</summary>
    public static void DeleteIfOwn(string path)
    {
        try
        {
            if (Read(path) is { } recorded && recorded.Pid == Environment.ProcessId)
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // Someone else's file, or one we cannot read: leave it; the command line checks that its AppHost is alive.
        }
    }

    /// <summary>This process as a deployment file records it.</summary>
    public static (int Pid, DateTimeOffset StartedAt) CurrentProcess()
    {
        using var process = Process.GetCurrentProcess();
        return (process.Id, new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero));
    }

    /// <summary>Whether the AppHost that wrote <paramref name="deployment"/> is still running (its process id, started at the recorded time).</summary>
    public static bool IsAlive(LocalDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        try
        {
            using var process = Process.GetProcessById(deployment.Pid);
            // A process id is reused after its process exits: the start time tells a new process from the AppHost.
            return !process.HasExited && (process.StartTime.ToUniversalTime() - deployment.StartedAt.UtcDateTime).Duration() < TimeSpan.FromSeconds(2);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>What <see cref="LocalDeploymentFile"/> records: the Selection service's gRPC address and the AppHost that serves it.</summary>
internal sealed record LocalDeployment(
    [property: JsonPropertyName("selection")] string Selection,
    [property: JsonPropertyName("dashboard")] string? Dashboard,
    [property: JsonPropertyName("artifacts_root")] string ArtifactsRoot,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Selection} (AppHost pid {Pid}, started {StartedAt:u})");
}
