namespace ActiveSynth.AppHost.Workers;

/// <summary>Where the replicas of one worker kind come from (<c>Services:&lt;Kind&gt;:Source</c>).</summary>
public enum WorkerSource
{
    /// <summary>The kind's .NET project in this repository (the default).</summary>
    Project,

    /// <summary>A command the AppHost starts with the same environment a project gets: another build, another runtime.</summary>
    Executable,

    /// <summary>Nothing is started: the replicas run elsewhere and join the consumer group through the same Redis.</summary>
    External,
}
