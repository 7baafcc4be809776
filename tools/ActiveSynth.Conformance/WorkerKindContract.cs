using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using Google.Protobuf;

namespace ActiveSynth.Conformance;

/// <summary>
/// What the kit needs to know about one worker kind: its request and result streams, its consumer group, a valid request, and
/// what makes a result valid and what its effect is (two replies to one request must carry the same effect).
/// </summary>
public abstract class WorkerKindContract
{
    public abstract string Kind { get; }

    public abstract string RequestStream { get; }

    public abstract string ResultStream { get; }

    public string Group => Kind;

    /// <summary>Full protobuf name of the request type (the entry's <c>type</c>).</summary>
    public abstract string RequestType { get; }

    /// <summary>A request the worker must answer with a valid result; it may write artifacts the request names first.</summary>
    public abstract Task<IMessage> ValidRequestAsync(string runId, string requestId, CancellationToken ct);

    /// <summary>Null when <paramref name="payload"/> is a valid result for <paramref name="request"/>; otherwise what is wrong.</summary>
    public abstract string? Check(IMessage request, byte[] payload);

    /// <summary>The part of a result that is its effect (not timings or which replica answered).</summary>
    public abstract ByteString Effect(byte[] payload);

    public static WorkerKindContract For(ConformanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return For(options.Kind, options.ArtifactsRoot, options.TeacherKind);
    }

    public static WorkerKindContract For(string kind, string artifactsRoot, string teacherKind = "embedded") => kind switch
    {
        ConsumerGroups.Teacher => new TeacherContract(teacherKind switch
        {
            "embedded" => TeacherKind.Embedded,
            "openai" => TeacherKind.Openai,
            _ => throw new ArgumentException($"teacher kind must be embedded or openai, got '{teacherKind}'", nameof(teacherKind)),
        }),
        ConsumerGroups.Scoring => new ScoringContract(artifactsRoot),
        ConsumerGroups.Training => new TrainingContract(artifactsRoot),
        _ => throw new ArgumentException($"kind must be teacher, scoring or training, got '{kind}'", nameof(kind)),
    };
}
