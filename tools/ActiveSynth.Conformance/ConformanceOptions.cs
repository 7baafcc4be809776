namespace ActiveSynth.Conformance;

/// <summary>What the kit checks and how long it waits.</summary>
public sealed record ConformanceOptions
{
    /// <summary>The worker kind: "teacher", "scoring" or "training".</summary>
    public required string Kind { get; init; }

    /// <summary>The artifact root the worker reads (the kit writes the checkpoint and test set a valid request names there).</summary>
    public required string ArtifactsRoot { get; init; }

    /// <summary>
    /// For the teacher kind: which teacher the valid request asks for, "embedded" (default) or "openai" (the worker's own
    /// OpenAI-compatible endpoint, <c>ConnectionStrings__teacher</c> on its side).
    /// </summary>
    public string TeacherKind { get; init; } = "embedded";

    /// <summary>How long one check waits for the worker (a training request pretrains a base first: give it time).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the kit waits for a second, redelivered reply before deciding there is none.</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The worker's process: when set, the graceful-stop check sends it SIGTERM (last, since the worker is gone after it).</summary>
    public int? WorkerPid { get; init; }

    /// <summary>How long after SIGTERM the worker must have exited.</summary>
    public TimeSpan StopBound { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The workers' claim idle time (<c>Messaging:Consumers:&lt;group&gt;:ClaimIdleTime</c>): an entry a stopped worker still holds
    /// must be handed back, that is idle at least this long, so another replica takes it at once.
    /// </summary>
    public TimeSpan ClaimIdleTime { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>One check's outcome: its name, whether it passed, and what was seen.</summary>
public sealed record ConformanceCheck(string Name, bool Passed, string Detail);
