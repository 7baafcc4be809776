namespace ActiveSynth.Contracts;

/// <summary>
/// Names of the Redis streams that carry the loop's work. They are part of the contract
/// (see protos/README.md): another implementation of a service must use the same names.
/// </summary>
public static class Streams
{
    /// <summary>ScoreRequest, published by Selection, consumed by group <see cref="ConsumerGroups.Scoring"/>.</summary>
    public const string ScoreRequests = "activesynth:score:requests";

    /// <summary>ScoreResult, published by Scoring, consumed by group <see cref="ConsumerGroups.Selection"/>.</summary>
    public const string ScoreResults = "activesynth:score:results";

    /// <summary>GenerateChunk, published by Selection, consumed by group <see cref="ConsumerGroups.Teacher"/>.</summary>
    public const string GenerateRequests = "activesynth:generate:requests";

    /// <summary>GenerateChunkResult, published by Teacher, consumed by group <see cref="ConsumerGroups.Selection"/>.</summary>
    public const string GenerateResults = "activesynth:generate:results";

    /// <summary>JudgeRequest (the judge-hard, lion and reward-low strategies' ratings), published by Selection, consumed by group <see cref="ConsumerGroups.Teacher"/>.</summary>
    public const string JudgeRequests = "activesynth:judge:requests";

    /// <summary>JudgeResponse, published by Teacher, consumed by group <see cref="ConsumerGroups.Selection"/>.</summary>
    public const string JudgeResults = "activesynth:judge:results";

    /// <summary>TrainRequest, published by Selection, consumed by group <see cref="ConsumerGroups.Training"/>.</summary>
    public const string TrainRequests = "activesynth:train:requests";

    /// <summary>TrainResult, published by Training, consumed by group <see cref="ConsumerGroups.Selection"/>.</summary>
    public const string TrainResults = "activesynth:train:results";

    /// <summary>RunEvent, published by Selection, read without a group (XREAD) by WatchRun.</summary>
    public const string RunEvents = "activesynth:runs:events";

    /// <summary>ProbeRequest, published by Selection, read by every worker kind in its own group (fan-out by groups).</summary>
    public const string ProbeRequests = "activesynth:probe:requests";

    /// <summary>ProbeReply, published by every worker kind, consumed by group <see cref="ConsumerGroups.Selection"/>.</summary>
    public const string ProbeResults = "activesynth:probe:results";

    /// <summary>Suffix of a stream's dead-letter stream.</summary>
    public const string DeadLetterSuffix = ":dead";

    /// <summary>The dead-letter stream of <paramref name="stream"/>: <c>&lt;stream&gt;:dead</c>.</summary>
    public static string DeadLetter(string stream)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stream);
        return stream.EndsWith(DeadLetterSuffix, StringComparison.Ordinal) ? stream : stream + DeadLetterSuffix;
    }
}

/// <summary>Redis keys that more than one service reads or writes: part of the contract, like the stream names.</summary>
public static class SharedKeys
{
    /// <summary>TeacherPricing (protobuf bytes), written by every Teacher replica, read by Selection's StartRun.</summary>
    public const string TeacherPricing = "activesynth:teacher:pricing";
}

/// <summary>Consumer group names, one per consuming service kind; replicas of a kind compete within its group.</summary>
public static class ConsumerGroups
{
    /// <summary>The Scoring service: score requests, probe requests.</summary>
    public const string Scoring = "scoring";

    /// <summary>The Teacher service: generate (and judge) requests, probe requests.</summary>
    public const string Teacher = "teacher";

    /// <summary>The Training service: train requests, probe requests.</summary>
    public const string Training = "training";

    /// <summary>The Selection service: score, generate, train and probe results.</summary>
    public const string Selection = "selection";
}
