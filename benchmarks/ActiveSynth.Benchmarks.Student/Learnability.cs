using System.Globalization;
using System.Text.Json.Nodes;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Evaluation;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.Training;
using TorchSharp;

namespace ActiveSynth.Benchmarks.Student;

/// <summary>
/// Can the embedded student learn a task set at all? (`--learnability step10,bool --seed 0`): the base's model, pretrained the base's way
/// but on every difficulty of the given families (1..4, uniformly) for <c>steps</c> steps, then evaluated on a balanced held-out
/// set (25 items per family × difficulty cell, drawn from their own random stream but not excluded from the training draws:
/// a cell with few distinct questions, such as a d1 cell, is mostly seen in training). <c>seed</c> seeds the model's
/// initialisation, the training items and the evaluation items (0: the check as it was before the seed existed). A benchmark
/// whose cells stay far below 80 % here cannot be learned from a few hundred selected samples either: uncertainty sampling
/// would spend its budget on cells it cannot move.
/// </summary>
internal static class Learnability
{
    public static async Task<JsonObject> RunAsync(IReadOnlyList<string> familyNames, int steps, string artifactsRoot, long seed = 0)
    {
        var registry = TaskFamilyRegistry.Default;
        var families = familyNames.Select(registry.Get).ToList();
        var difficulties = Enumerable.Range(1, 4).ToList();
        var spec = new BaseStudentSpec { Families = familyNames, Difficulties = difficulties, Steps = steps, Seed = seed };
        var store = new CheckpointStore(new ArtifactStore(artifactsRoot));
        var trained = await new BaseStudentCache(store).GetOrCreateAsync(spec, [.. registry.Families], torch.CPU);
        using var model = (await store.LoadAsync(trained.Checkpoint.Path, trained.Checkpoint.Sha256, torch.CPU)).Model;
        var rng = new Random(1000 + unchecked((int)seed));
        var test = families.SelectMany(f => difficulties.SelectMany(d => Enumerable.Range(0, 25).Select(i => f.Generate($"{f.Name}{d}-{i}", d, rng)))).ToList();
        var evaluation = StudentEvaluator.Evaluate(model, test, new GraderLookup(registry.Families));
        return new JsonObject
        {
            ["families"] = string.Join(",", familyNames),
            ["difficulties"] = "1,2,3,4",
            ["steps"] = steps,
            ["batch"] = spec.BatchSize,
            ["seed"] = seed,
            ["train_seconds"] = trained.Pretraining is { } p ? Math.Round(p.Duration.TotalSeconds, 1) : null,
            ["final_loss"] = trained.Pretraining is { } q ? Math.Round(q.FinalLoss, 4) : null,
            ["accuracy"] = Math.Round(evaluation.Accuracy, 4),
            ["min_cell_accuracy"] = Math.Round(evaluation.CellAccuracy.Values.Min(), 4),
            ["cell_accuracy"] = new JsonObject([.. evaluation.CellAccuracy.OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => KeyValuePair.Create(c.Key, (JsonNode?)Math.Round(c.Value, 3)))]),
            ["learnable_above_80_percent"] = evaluation.CellAccuracy.Values.All(a => a > 0.8),
            ["measured_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
    }
}
