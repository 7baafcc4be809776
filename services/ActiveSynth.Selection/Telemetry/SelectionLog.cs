namespace ActiveSynth.Selection.Telemetry;

/// <summary>Source-generated logs of the Selection service.</summary>
public static partial class SelectionLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Run {RunId} started: strategy {Strategy}, m={SamplesPerRound}, {Seeds} seeds, {TestItems} test items")]
    public static partial void RunStarted(this ILogger logger, string runId, string strategy, int samplesPerRound, int seeds, int testItems);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Run {RunId} resumed at round {Round}, stage {Stage}")]
    public static partial void RunResumed(this ILogger logger, string runId, int round, string stage);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Run {RunId} round {Round} started")]
    public static partial void RoundStarted(this ILogger logger, string runId, int round);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Run {RunId} round {Round}: {Stage} done in {Seconds:0.00} s")]
    public static partial void StageCompleted(this ILogger logger, string runId, int round, string stage, double seconds);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information,
        Message = "Run {RunId} round {Round}: accuracy {Accuracy:P1} after {Samples} samples, {TeacherTokens} teacher tokens")]
    public static partial void CurvePoint(this ILogger logger, string runId, int round, double accuracy, long samples, long teacherTokens);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information,
        Message = "Run {RunId} finished: {State} ({StopReason}), {Rounds} rounds, final accuracy {Accuracy:P1}, {Seconds:0.0} s")]
    public static partial void RunFinished(this ILogger logger, string runId, string state, string stopReason, int rounds, double accuracy, double seconds);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Run {RunId} report: {ReportPath} (markdown {MarkdownPath}, dataset {DatasetPath})")]
    public static partial void ReportWritten(this ILogger logger, string runId, string reportPath, string markdownPath, string datasetPath);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Error, Message = "Run {RunId} failed: {Reason}")]
    public static partial void RunFailed(this ILogger logger, Exception exception, string runId, string reason);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Information, Message = "Run {RunId} cancelled: {Reason}")]
    public static partial void RunCancelled(this ILogger logger, string runId, string reason);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "Run {RunId} paused by shutdown at round {Round}; it resumes when the service starts again")]
    public static partial void RunPaused(this ILogger logger, string runId, int round);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Error, Message = "Writing the report of run {RunId} failed")]
    public static partial void ReportFailed(this ILogger logger, Exception exception, string runId);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning, Message = "Run {RunId} interrupted: Redis is unavailable ({Error}); it resumes from its last durable step when Redis answers")]
    public static partial void RunInterrupted(this ILogger logger, string runId, string error);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Information, Message = "Default run: waiting until every worker kind consumes its stream (missing: {Missing})")]
    public static partial void DefaultRunWaiting(this ILogger logger, string missing);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Information, Message = "Default run {RunId} started (spec {SpecSource}, hash {SpecHash})")]
    public static partial void DefaultRunStarted(this ILogger logger, string runId, string specSource, string specHash);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Information, Message = "Default run {RunId} was already started in this deployment; not starting it again")]
    public static partial void DefaultRunAlreadyStarted(this ILogger logger, string runId);

    [LoggerMessage(EventId = 7023, Level = LogLevel.Information, Message = "Default run is disabled (Selection:DefaultRun:Enabled=false)")]
    public static partial void DefaultRunDisabled(this ILogger logger);

    /// <summary>The AppHost echoes this line on its console (ActiveSynth.AppHost/ReportAnnouncer.cs): keep "Default run refused" in it.</summary>
    [LoggerMessage(EventId = 7024, Level = LogLevel.Error, Message = "Default run refused (spec {SpecSource}): {Problems}")]
    public static partial void DefaultRunRefused(this ILogger logger, string specSource, string problems);

    [LoggerMessage(EventId = 7025, Level = LogLevel.Debug, Message = "Served artifact {Path} ({Bytes} bytes) to a replica")]
    public static partial void ArtifactServed(this ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = 7026, Level = LogLevel.Information, Message = "Stored artifact {Path} ({Bytes} bytes) published by a replica")]
    public static partial void ArtifactStored(this ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = 7040, Level = LogLevel.Information, Message = "Run {RunId} finished {Status}: deleted {Keys} transient Redis keys (stored replies, markers, leases); spec, state, meta and events are kept")]
    public static partial void TransientKeysDeleted(this ILogger logger, string runId, string status, long keys);

    [LoggerMessage(EventId = 7041, Level = LogLevel.Warning, Message = "Run {RunId} finished but its transient Redis keys could not be deleted now ({Error}); the reply time to live and the retention sweeper bound them")]
    public static partial void TransientKeysNotDeleted(this ILogger logger, Exception exception, string runId, string error);

    [LoggerMessage(EventId = 7042, Level = LogLevel.Information, Message = "Run {RunId} deleted ({Reason}): {Keys} Redis keys and {Files} artifact files under runs/{RunId}/")]
    public static partial void RunDeleted(this ILogger logger, string runId, string reason, long keys, int files);

    [LoggerMessage(EventId = 7043, Level = LogLevel.Information, Message = "Retention: deleted run {RunId} ({Status}, finished {FinishedAt:o}, older than {Retention}): {Keys} Redis keys, {Files} artifact files")]
    public static partial void RetentionDeleted(this ILogger logger, string runId, string status, DateTimeOffset finishedAt, TimeSpan retention, long keys, int files);

    [LoggerMessage(EventId = 7044, Level = LogLevel.Information, Message = "Retention sweep: {Deleted} finished runs older than {Retention} deleted, {Kept} runs kept")]
    public static partial void RetentionSwept(this ILogger logger, int deleted, TimeSpan retention, int kept);

    [LoggerMessage(EventId = 7045, Level = LogLevel.Warning, Message = "Retention sweep failed ({Error}); next try in {Interval}")]
    public static partial void RetentionFailed(this ILogger logger, Exception exception, string error, TimeSpan interval);

    [LoggerMessage(EventId = 7046, Level = LogLevel.Information, Message = "Retention of finished runs is off (Selection:Retention:FinishedRuns is 0)")]
    public static partial void RetentionOff(this ILogger logger);
}
