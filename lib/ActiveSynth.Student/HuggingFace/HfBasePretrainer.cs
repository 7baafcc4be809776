using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Training;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>What pretraining a base made: the model (still loaded, in eval mode), its vocabulary and the training report.</summary>
public sealed record HfPretrainingResult(HfStudent Student, ByteLevelVocabulary Vocabulary, TrainingReport Report, long Parameters) : IDisposable
{
    public void Dispose() => Student.Dispose();
}

/// <summary>
/// Makes a small Hugging Face-format base (<see cref="HfBaseSpec"/>): a randomly initialised Qwen2 or Llama network with
/// a byte-level tokenizer, every weight trained on fresh items of the spec's families and difficulties (the embedded
/// base's <see cref="BaseStudentCache.PretrainingItems"/>, prompted through the architecture's chat template exactly as
/// the loop prompts an HF student), then written as a checkpoint directory by <see cref="HfCheckpointWriter"/>.
/// Deterministic for the spec's seed on one thread.
/// </summary>
public static class HfBasePretrainer
{
    /// <summary>The file, next to the model's, that records how a base was made (the spec, steps, loss, time).</summary>
    public const string ProvenanceFile = "activesynth_pretraining.json";

    /// <summary>
    /// Pretraining items kept with the base, one JSON task item a line: the replay source of later rounds
    /// (<c>training.replay_fraction</c>), as the embedded base's <c>replay.jsonl</c>. A downloaded model has none.
    /// </summary>
    public const string ReplayFile = "activesynth_replay.jsonl";

    /// <summary>Items in <see cref="ReplayFile"/> (the embedded base keeps as many).</summary>
    public const int ReplayPoolSize = 4096;

    public static HfPretrainingResult Pretrain(HfBaseSpec spec, IReadOnlyCollection<ITaskFamily> families, Device? device = null,
        CancellationToken ct = default, Action<int, double>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(families);
        spec.Validate();
        var items = BaseStudentCache.PretrainingItems(new BaseStudentSpec { Families = spec.Families, Difficulties = spec.Difficulties }, families);
        var vocabulary = ByteLevelVocabulary.For(spec.Architecture);
        var tokenizer = HfTokenizer.FromJson(vocabulary.TokenizerJson());
        var student = HfStudent.CreateRandom(spec.ModelConfig(vocabulary), tokenizer, spec.Seed,
            new HfStudentOptions { MaxContext = spec.MaxPositions }, device);
        try
        {
            var settings = spec.PretrainingSettings();
            using var optimizer = HfFullTrainer.CreateOptimizer(student, settings);
            var sampler = new TrainingBatchSampler([], items, 1.0, spec.BatchSize, spec.Seed + 2000);
            var report = HfFullTrainer.Train(student, optimizer, settings, sampler, ct, onStep);
            foreach (var parameter in student.Network.parameters())
            {
                parameter.requires_grad = false;
            }
            return new HfPretrainingResult(student, vocabulary, report, student.Network.ParameterCount());
        }
        catch
        {
            student.Dispose();
            throw;
        }
    }

    /// <summary>Pretrains and writes the checkpoint directory (with <see cref="ProvenanceFile"/>); returns the result.</summary>
    public static HfPretrainingResult PretrainTo(string directory, HfBaseSpec spec, IReadOnlyCollection<ITaskFamily> families, Device? device = null,
        CancellationToken ct = default, Action<int, double>? onStep = null)
    {
        var result = Pretrain(spec, families, device, ct, onStep);
        try
        {
            HfCheckpointWriter.Write(result.Student, result.Vocabulary, directory);
            var items = BaseStudentCache.PretrainingItems(new BaseStudentSpec { Families = spec.Families, Difficulties = spec.Difficulties }, families);
            var replayRng = new Random(unchecked((int)spec.Seed) + 4000);
            File.WriteAllLines(Path.Combine(directory, ReplayFile),
                Enumerable.Range(0, ReplayPoolSize).Select(_ => JsonSerializer.Serialize(items(replayRng), HfCheckpointStore.ItemJson)));
            File.WriteAllText(Path.Combine(directory, ProvenanceFile), Provenance(spec, result).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static JsonObject Provenance(HfBaseSpec spec, HfPretrainingResult result) => new()
    {
        ["made_by"] = "activesynth students pretrain",
        ["architecture"] = spec.Architecture.ToString().ToLowerInvariant(),
        ["parameters"] = result.Parameters,
        ["families"] = new JsonArray([.. spec.Families.Select(f => (JsonNode)f)]),
        ["difficulties"] = new JsonArray([.. spec.Difficulties.Select(d => (JsonNode)d)]),
        ["steps"] = spec.Steps,
        ["batch_size"] = spec.BatchSize,
        ["learning_rate"] = spec.LearningRate,
        ["warmup_steps"] = spec.WarmupSteps,
        ["seed"] = spec.Seed,
        ["final_loss"] = Math.Round(result.Report.FinalLoss, 4),
        ["tokens_trained"] = result.Report.TokensTrained,
        ["seconds"] = Math.Round(result.Report.Duration.TotalSeconds, 1),
        ["threads"] = get_num_threads().ToString(CultureInfo.InvariantCulture),
    };
}
