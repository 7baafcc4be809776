using Microsoft.Extensions.Configuration;

namespace ActiveSynth.AppHost.Workers;

/// <summary>
/// One worker kind's settings (<c>Services:&lt;Kind&gt;:*</c>): its source, replicas and, for an executable, the command, its
/// arguments and working folder. Read and checked at start; a bad value stops the AppHost with the setting's name.
/// </summary>
public sealed record WorkerSettings(string Kind, WorkerSource Source, int Replicas, string? Command, IReadOnlyList<string> Args, string WorkingDirectory)
{
    public const int MaxReplicas = 32;

    /// <summary>The resource name of the kind (and of its first replica): "teacher", "scoring", "training".</summary>
    public string Name => Kind.ToLowerInvariant();

    /// <summary>
    /// For a .NET service started as <c>dotnet &lt;app&gt;.dll</c> (a published build): the .dll's folder, which the AppHost makes its
    /// content root (<c>DOTNET_CONTENTROOT</c>), so it reads its own appsettings.json there (the Scoring service's
    /// <c>scoring:BatchSize</c> 1, ...) as it does when started from its publish folder, and not the working folder's. Null otherwise.
    /// </summary>
    public string? DotnetContentRoot =>
        Source == WorkerSource.Executable && Command is { } command && Path.GetFileName(command) == "dotnet"
        && Args.FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) is { } dll
            ? Path.GetDirectoryName(Path.GetFullPath(dll, WorkingDirectory))
            : null;

    public static WorkerSettings Read(IConfiguration config, string kind, string appHostDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        var section = $"Services:{kind}";
        var source = ReadSource(config[$"{section}:Source"], $"{section}:Source");
        var replicas = ReadReplicas(config[$"{section}:Replicas"], $"{section}:Replicas");
        var command = config[$"{section}:Command"];
        var args = config.GetSection($"{section}:Args").GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue)
            .Select(c => c.Value ?? "").ToList();
        var workingDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(config[$"{section}:WorkingDirectory"])
            ? appHostDirectory : config[$"{section}:WorkingDirectory"]!, appHostDirectory);
        if (source == WorkerSource.Executable)
        {
            if (string.IsNullOrWhiteSpace(command))
            {
                throw new InvalidOperationException($"{section}:Command is required when {section}:Source is 'executable' (the program to start, e.g. python3).");
            }
            if (!Directory.Exists(workingDirectory))
            {
                throw new InvalidOperationException($"{section}:WorkingDirectory '{workingDirectory}' does not exist.");
            }
        }
        else if (!string.IsNullOrWhiteSpace(command) || args.Count > 0)
        {
            throw new InvalidOperationException(
                $"{section}:Command and {section}:Args apply only when {section}:Source is 'executable', not '{source.ToString().ToLowerInvariant()}'.");
        }
        return new WorkerSettings(kind, source, replicas, string.IsNullOrWhiteSpace(command) ? null : command, args, workingDirectory);
    }

    private static WorkerSource ReadSource(string? raw, string key) => raw?.Trim().ToLowerInvariant() switch
    {
        null or "" or "project" => WorkerSource.Project,
        "executable" => WorkerSource.Executable,
        "external" => WorkerSource.External,
        _ => throw new InvalidOperationException($"{key} must be 'project', 'executable' or 'external', got '{raw}'."),
    };

    private static int ReadReplicas(string? raw, string key)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return 1;
        }
        if (!int.TryParse(raw, out var replicas) || replicas is < 1 or > MaxReplicas)
        {
            throw new InvalidOperationException($"{key} must be a whole number from 1 to {MaxReplicas}, got '{raw}'.");
        }
        return replicas;
    }
}
