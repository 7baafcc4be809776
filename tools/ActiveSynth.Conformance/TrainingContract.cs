using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Google.Protobuf;

namespace ActiveSynth.Conformance;

/// <summary>
/// Training: round 0 of a run (prepare the embedded base and evaluate it on a test set the kit writes) → a checkpoint whose file
/// exists under the artifact root with the sha256 it names, and an evaluation of every test item.
/// </summary>
public sealed class TrainingContract(string artifactsRoot) : WorkerKindContract
{
    public override string Kind => ConsumerGroups.Training;

    public override string RequestStream => Streams.TrainRequests;

    public override string ResultStream => Streams.TrainResults;

    public override string RequestType => TrainRequest.Descriptor.FullName;

    public override async Task<IMessage> ValidRequestAsync(string runId, string requestId, CancellationToken ct)
    {
        var rng = new Random(11);
        var test = Enumerable.Range(0, 6).Select(i => TaskFamilyRegistry.Default.Get(i % 2 == 0 ? "copy" : "rev").Generate($"t{i}", 1, rng)).ToList();
        var testSet = await RunArtifacts.WriteTestSetAsync(new ArtifactStore(artifactsRoot), runId, test, ct).ConfigureAwait(false);
        return new TrainRequest
        {
            RunId = runId,
            Round = 0,
            RequestId = requestId,
            Student = new StudentSpec { Kind = StudentKind.Embedded },
            Options = new TrainingOptions { Steps = 5, BatchSize = 4, LearningRate = 1e-3 },
            TestSet = testSet.ToContract(),
        };
    }

    public override string? Check(IMessage request, byte[] payload)
    {
        var result = TrainResult.Parser.ParseFrom(payload);
        if (result.Failure.Length > 0)
        {
            return $"failure: {result.Failure}";
        }
        if (result.Checkpoint is not { Path.Length: > 0, Sha256.Length: 64 } checkpoint)
        {
            return "no checkpoint with a path and a sha256";
        }
        if (!Directory.Exists(Path.Combine(artifactsRoot, checkpoint.Path)))
        {
            return $"checkpoint '{checkpoint.Path}' is not under the artifact root";
        }
        return result.Evaluation is { Total: 6 } ? null : $"evaluated {result.Evaluation?.Total ?? 0} test items, expected 6";
    }

    public override ByteString Effect(byte[] payload)
    {
        var result = TrainResult.Parser.ParseFrom(payload);
        return new CheckpointRef { Path = result.Checkpoint?.Path ?? "", Sha256 = result.Checkpoint?.Sha256 ?? "" }.ToByteString();
    }
}
