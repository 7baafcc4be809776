using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>
/// Upper bounds of RunSpec fields that have no natural limit in the proto. Each one is far above any useful value and
/// far below what would make a worker allocate gigabytes, loop for days or fill Redis: a typo or a hostile client gets
/// InvalidArgument naming the field instead of a run that takes a deployment down.
/// </summary>
public static class RunSpecLimits
{
    public const int MaxNameLength = 256;
    public const int MaxLabels = 64;
    public const int MaxLabelKeyLength = 63;
    public const int MaxLabelValueLength = 256;
    public const int MaxOptions = 64;
    public const int MaxOptionLength = 1024;
    public const int MaxFamilies = 64;
    public const int MaxPathLength = 1024;

    public const int MaxSamplesPerRound = 100_000;
    public const int MaxOvergenerateFactor = 64;
    public const int MaxRounds = 100_000;

    // The embedded student's shape (layers, d_model, heads, context): EmbeddedStudentShapeLimits in Core, shared with the student.
    public const int MaxStudentNewTokens = 32_768;

    public const int MaxTeacherCompletionTokens = 131_072;

    public const int MaxTrainingSteps = 10_000_000;
    public const int MaxTrainingEpochs = 10_000;
    public const int MaxTrainingBatchSize = 65_536;

    /// <summary>Longest max_wall_time: a year (protobuf allows 10,000 years, past what TimeSpan arithmetic of deadlines tolerates).</summary>
    public static readonly TimeSpan MaxWallTime = TimeSpan.FromDays(366);
}
