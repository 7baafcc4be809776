using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Evaluation;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Workers.Training;

/// <summary>Between the contract's messages and the student library's types; JSONL datasets from the artifact store.</summary>
public static class TrainingContractMapping
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static CheckpointRef ToContract(this CheckpointInfo info) => new()
    {
        Id = info.Id,
        Round = info.Round,
        Path = info.Path,
        Sha256 = info.Sha256,
        IsBase = info.IsBase,
        RunId = info.RunId,
        ParentId = info.ParentId,
        SizeBytes = info.SizeBytes,
        TrainedSamples = info.TrainedSamples,
        CreatedAt = Timestamp.FromDateTimeOffset(info.CreatedAt),
    };

    public static EvaluateResponse ToContract(this EvaluationReport report, string checkpointId, bool includeItems)
    {
        var response = new EvaluateResponse
        {
            CheckpointId = checkpointId,
            Accuracy = report.Accuracy,
            Total = report.Total,
            Correct = report.Correct,
            Duration = Duration.FromTimeSpan(report.Duration),
        };
        foreach (var (family, accuracy) in report.FamilyAccuracy)
        {
            response.FamilyAccuracy[family] = accuracy;
        }
        if (includeItems)
        {
            response.Items.AddRange(report.Items.Select(i => new ItemEvaluation
            {
                ItemId = i.ItemId,
                Family = i.Family,
                Correct = i.Correct,
                StudentAnswer = i.StudentAnswer,
                StudentFinalAnswer = i.StudentFinalAnswer ?? "",
                ReferenceFinalAnswer = i.ReferenceFinalAnswer ?? "",
            }));
        }
        return response;
    }

    /// <summary>Reads a JSONL artifact after verifying its sha256 (when given): one Sample (or SeedItem, or GSM8K {question, answer}) per line.</summary>
    public static async Task<List<TaskItem>> ReadItemsAsync(ArtifactStore store, ArtifactRef artifact, string field, bool samples, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(artifact.Path))
        {
            throw new InvalidRequestException($"{field}.path", "is required");
        }
        Stream stream;
        try
        {
            if (string.IsNullOrEmpty(artifact.Sha256))
            {
                await store.FetchAsync(artifact.Path, null, ct).ConfigureAwait(false);
                stream = File.OpenRead(store.Resolve(artifact.Path));
            }
            else
            {
                stream = await store.OpenVerifiedAsync(artifact.Path, artifact.Sha256, ct).ConfigureAwait(false);
            }
        }
        catch (ArgumentException)
        {
            throw new InvalidRequestException($"{field}.path", "must be relative to the artifact store and stay inside it");
        }
        catch (FileNotFoundException)
        {
            throw new InvalidRequestException($"{field}.path", $"'{artifact.Path}' does not exist in the artifact store");
        }
        catch (InvalidDataException)
        {
            throw new InvalidRequestException($"{field}.sha256", $"'{artifact.Path}' does not have the given sha256");
        }
        var items = new List<TaskItem>();
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            var lineNumber = 0;
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                try
                {
                    var item = samples ? Parser.Parse<Sample>(line).ToTaskItem() : Parser.Parse<SeedItem>(line).ToTaskItem();
                    items.Add(string.IsNullOrEmpty(item.Id) ? item with { Id = $"line{lineNumber}" } : item);
                }
                catch (InvalidProtocolBufferException)
                {
                    throw new InvalidRequestException(field, $"line {lineNumber} of '{artifact.Path}' is not a JSON {(samples ? "Sample" : "SeedItem")}");
                }
            }
        }
        return items;
    }
}
