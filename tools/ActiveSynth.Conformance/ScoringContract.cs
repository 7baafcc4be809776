using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Tokenization;
using Google.Protobuf;
using TorchSharp;

namespace ActiveSynth.Conformance;

/// <summary>Scoring: a tiny embedded student written to the artifact root, three items → one signal set each, in order.</summary>
public sealed class ScoringContract(string artifactsRoot) : WorkerKindContract
{
    private static readonly StudentModelConfig Tiny = new() { DModel = 32, Layers = 1, Heads = 2, FeedForward = 64, Context = 64 };

    public override string Kind => ConsumerGroups.Scoring;

    public override string RequestStream => Streams.ScoreRequests;

    public override string ResultStream => Streams.ScoreResults;

    public override string RequestType => ScoreRequest.Descriptor.FullName;

    public override async Task<IMessage> ValidRequestAsync(string runId, string requestId, CancellationToken ct)
    {
        var path = $"conformance/{runId}/student";
        using var model = StudentModel.Create(Tiny, CharTokenizer.Default, torch.CPU, seed: 1);
        var info = await new CheckpointStore(new ArtifactStore(artifactsRoot))
            .SaveAsync(path, model, null, new CheckpointMetadata { Id = $"{runId}-student" }, ct: ct).ConfigureAwait(false);
        var request = new ScoreRequest
        {
            RunId = runId,
            Round = 1,
            RequestId = requestId,
            Checkpoint = new CheckpointRef { Id = info.Id, Path = info.Path, Sha256 = info.Sha256 },
            Student = new StudentSpec { Kind = StudentKind.Embedded, MaxNewTokens = 8 },
        };
        request.Signals.Add(SignalKind.OwnAnswerNll);
        var rng = new Random(3);
        foreach (var family in TaskFamilyRegistry.EmbeddedBenchmarkFamilies)
        {
            request.Items.Add(TaskFamilyRegistry.Default.Get(family).Generate($"{family}-1", 1, rng).ToContract());
        }
        return request;
    }

    public override string? Check(IMessage request, byte[] payload)
    {
        var asked = (ScoreRequest)request;
        var result = ScoreResult.Parser.ParseFrom(payload);
        if (result.Failure.Length > 0)
        {
            return $"failure: {result.Failure}";
        }
        var expected = asked.Items.Select(i => i.Id).ToList();
        var got = result.Signals.Select(s => s.ItemId).ToList();
        if (!expected.SequenceEqual(got))
        {
            return $"signals for [{string.Join(", ", got)}], expected [{string.Join(", ", expected)}] in order";
        }
        return result.Signals.FirstOrDefault(s => !s.HasOwnAnswerMeanNll || !double.IsFinite(s.OwnAnswerMeanNll)) is { } bad
            ? $"item {bad.ItemId} has no finite own-answer NLL"
            : null;
    }

    public override ByteString Effect(byte[] payload)
    {
        var result = ScoreResult.Parser.ParseFrom(payload);
        var effect = new ScoreResult { Failure = result.Failure };
        effect.Signals.AddRange(result.Signals.Select(s => new ScoreSignals { ItemId = s.ItemId, OwnAnswerMeanNll = Math.Round(s.OwnAnswerMeanNll, 6) }));
        return effect.ToByteString();
    }
}
