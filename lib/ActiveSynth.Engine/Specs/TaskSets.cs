using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>
/// A run's seed pool D0 and held-out test set, from the TaskSpec: inline items, else a GSM8K JSONL file, else generated
/// from the families (deterministic for <see cref="RunPlan.TaskSeed"/>; the test set never repeats a seed). A file is relative to the artifact
/// root (or absolute inside it) and may not leave it, through '..' or a symbolic link; absolute paths elsewhere only with
/// <see cref="RunPlanOptions.AllowTaskFilesOutsideArtifacts"/>. Bad files throw <see cref="SpecValidationException"/>
/// naming the field, the file and the line.
/// </summary>
internal static class TaskSets
{
    public static (IReadOnlyList<TaskItem> Seeds, IReadOnlyList<TaskItem> Test) Build(RunSpec spec, int seed, ArtifactStore artifacts, RunPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var allowFilesOutsideArtifacts = options.AllowTaskFilesOutsideArtifacts;
        var task = spec.Task ?? new TaskSpec();
        var families = task.Families.Select(f => TaskFamilyRegistry.Default.Get(f)).ToList();
        var max = task.MaxDifficulty == 0 ? task.MinDifficulty : task.MaxDifficulty;
        var seeds = task.SeedItems.Count > 0 ? [.. task.SeedItems.Select(i => i.ToTaskItem())]
            : !string.IsNullOrWhiteSpace(task.SeedFile) ? Import(task.SeedFile, "spec.task.seed_file", task.ImportedFamily, "seed", artifacts, allowFilesOutsideArtifacts)
            : Generated("spec.task.seed_pool_size", () => TaskSetGenerator.Generate(families, task.MinDifficulty, max, task.SeedPoolSize, seed, "seed"));
        var test = task.TestItems.Count > 0 ? [.. task.TestItems.Select(i => i.ToTaskItem())]
            : !string.IsNullOrWhiteSpace(task.TestFile) ? Import(task.TestFile, "spec.task.test_file", task.ImportedFamily, "test", artifacts, allowFilesOutsideArtifacts)
            : Generated("spec.task.test_set_size", () => TaskSetGenerator.Generate(families, task.MinDifficulty, max, task.TestSetSize, unchecked(seed + 1),
                "test", seeds.Select(s => s.Question).ToHashSet(StringComparer.Ordinal)));
        if (seeds.Count == 0)
        {
            throw new SpecValidationException([new SpecError("spec.task.seed_file", "holds no items")]);
        }
        // A file's size is only known once read: the same limits as inline items and generated sets.
        if (seeds.Count > options.MaxSeedPoolSize)
        {
            throw new SpecValidationException([new SpecError("spec.task.seed_file",
                $"holds {seeds.Count} items; at most {options.MaxSeedPoolSize} (Selection:{nameof(RunPlanOptions.MaxSeedPoolSize)})")]);
        }
        if (test.Count > options.MaxTestSetSize)
        {
            throw new SpecValidationException([new SpecError("spec.task.test_file",
                $"holds {test.Count} items; at most {options.MaxTestSetSize} (Selection:{nameof(RunPlanOptions.MaxTestSetSize)})")]);
        }
        return test.Count == 0 ? throw new SpecValidationException([new SpecError("spec.task.test_file", "holds no items")]) : (seeds, test);
    }

    /// <summary>A generated set, or a refusal naming <paramref name="field"/> when the families hold too few distinct questions for it.</summary>
    private static IReadOnlyList<TaskItem> Generated(string field, Func<IReadOnlyList<TaskItem>> generate)
    {
        try
        {
            return generate();
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("ran out of distinct questions", StringComparison.Ordinal))
        {
            throw new SpecValidationException([new SpecError(field, $"too large for the families and difficulties: {ex.Message}")]);
        }
    }

    private static IReadOnlyList<TaskItem> Import(string file, string field, string family, string prefix, ArtifactStore artifacts, bool allowOutside)
    {
        try
        {
            var path = ResolveFile(file, artifacts, allowOutside);
            var options = new Gsm8kImportOptions { Family = string.IsNullOrWhiteSpace(family) ? TaskFamilyRegistry.ImportedFamily : family, IdPrefix = prefix };
            return Gsm8kJsonl.ImportFile(path, options);
        }
        catch (Gsm8kFormatException ex)
        {
            // The message starts with the resolved path; the client knows the file by the name it sent.
            throw new SpecValidationException([new SpecError(field, $"'{file}': {ex.ProblemsText}")]);
        }
        catch (ArgumentException ex)
        {
            throw new SpecValidationException([new SpecError(field, ex.Message.Split(" (Parameter", 2)[0])]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "file not found" : "cannot be read";
            throw new SpecValidationException([new SpecError(field, $"'{file}': {reason}")]);
        }
    }

    private static string ResolveFile(string file, ArtifactStore artifacts, bool allowOutside)
    {
        if (!Path.IsPathRooted(file))
        {
            return artifacts.Resolve(file);
        }
        var full = Path.GetFullPath(file);
        var relative = Path.GetRelativePath(artifacts.Root, full);
        if (relative != ".." && !relative.StartsWith("../", StringComparison.Ordinal) && !Path.IsPathRooted(relative))
        {
            return artifacts.Resolve(relative); // absolute but inside the root: the same link checks as a relative path
        }
        return allowOutside
            ? full
            : throw new ArgumentException($"'{file}' is outside the artifact root; give a path relative to it "
                + $"(absolute paths elsewhere need Selection:{nameof(RunPlanOptions.AllowTaskFilesOutsideArtifacts)}=true)");
    }
}
