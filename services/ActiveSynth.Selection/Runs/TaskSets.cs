using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Selection.Mapping;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// A run's seed pool D0 and held-out test set, from the TaskSpec: inline items, else a GSM8K JSONL file (artifact-store
/// relative or absolute), else generated from the families (deterministic for the seed; the test set never repeats a seed).
/// Bad files throw <see cref="SpecValidationException"/> naming the field.
/// </summary>
public static class TaskSets
{
    public static (IReadOnlyList<TaskItem> Seeds, IReadOnlyList<TaskItem> Test) Build(RunSpec spec, ArtifactStore artifacts)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var task = spec.Task ?? new TaskSpec();
        var seed = unchecked((int)(task.RandomSeed != 0 ? task.RandomSeed : spec.RandomSeed * 31 + 17));
        var families = task.Families.Select(f => TaskFamilyRegistry.Default.Get(f)).ToList();
        var max = task.MaxDifficulty == 0 ? task.MinDifficulty : task.MaxDifficulty;
        var seeds = task.SeedItems.Count > 0 ? [.. task.SeedItems.Select(i => i.ToTaskItem())]
            : !string.IsNullOrWhiteSpace(task.SeedFile) ? Import(task.SeedFile, "spec.task.seed_file", task.ImportedFamily, "seed", artifacts)
            : TaskSetGenerator.Generate(families, task.MinDifficulty, max, task.SeedPoolSize, seed, "seed");
        var test = task.TestItems.Count > 0 ? [.. task.TestItems.Select(i => i.ToTaskItem())]
            : !string.IsNullOrWhiteSpace(task.TestFile) ? Import(task.TestFile, "spec.task.test_file", task.ImportedFamily, "test", artifacts)
            : TaskSetGenerator.Generate(families, task.MinDifficulty, max, task.TestSetSize, unchecked(seed + 1), "test",
                seeds.Select(s => s.Question).ToHashSet(StringComparer.Ordinal));
        if (seeds.Count == 0)
        {
            throw new SpecValidationException([new SpecError("spec.task.seed_file", "holds no items")]);
        }
        return test.Count == 0 ? throw new SpecValidationException([new SpecError("spec.task.test_file", "holds no items")]) : (seeds, test);
    }

    private static IReadOnlyList<TaskItem> Import(string file, string field, string family, string prefix, ArtifactStore artifacts)
    {
        try
        {
            var path = Path.IsPathRooted(file) ? file : artifacts.Resolve(file);
            var options = new Gsm8kImportOptions { Family = string.IsNullOrWhiteSpace(family) ? TaskFamilyRegistry.ImportedFamily : family, IdPrefix = prefix };
            return Gsm8kJsonl.ImportFile(path, options);
        }
        catch (Exception ex) when (ex is Gsm8kFormatException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            var reason = ex is Gsm8kFormatException ? ex.Message : ex is FileNotFoundException or DirectoryNotFoundException ? "file not found" : "cannot be read";
            throw new SpecValidationException([new SpecError(field, $"'{file}': {reason}")]);
        }
    }
}
