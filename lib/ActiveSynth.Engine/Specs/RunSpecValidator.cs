using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Students;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>
/// Checks a RunSpec field by field. Every problem names its field as the API spells it (<c>spec.samples_per_round</c>,
/// <c>spec.task.families[1]</c>), so StartRun can answer InvalidArgument that says exactly what to fix.
/// </summary>
public static class RunSpecValidator
{
    private const string P = "spec.";

    public static IReadOnlyList<SpecError> Validate(RunSpec? spec, RunPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (spec is null)
        {
            return [new("spec", "is required")];
        }
        var errors = new List<SpecError>();
        ValidateTask(spec.Task ?? new TaskSpec(), options, errors);
        ValidateStudent(spec.Student ?? new StudentSpec(), errors);
        ValidateTeacher(spec.Teacher ?? new TeacherSpec(), errors);
        ValidateStrategy(spec.Strategy ?? new StrategySpec(), errors);
        ValidateBudget(spec.Budget ?? new Budget(), errors);
        ValidateTraining(spec.Training ?? new TrainingOptions(), errors);
        if (!Enum.IsDefined(spec.Mode))
        {
            errors.Add(new(P + "mode", $"unknown value {(int)spec.Mode}"));
        }
        if (spec.Mode == Contracts.V1.GenerationMode.Overgenerate && spec.OvergenerateFactor < 2)
        {
            errors.Add(new(P + "overgenerate_factor", $"must be >= 2 in GENERATION_MODE_OVERGENERATE, got {spec.OvergenerateFactor}"));
        }
        else if (spec.OvergenerateFactor < 0 || spec.OvergenerateFactor > RunSpecLimits.MaxOvergenerateFactor)
        {
            errors.Add(new(P + "overgenerate_factor", $"must be 0..{RunSpecLimits.MaxOvergenerateFactor}, got {spec.OvergenerateFactor}"));
        }
        if (spec.SamplesPerRound > RunSpecLimits.MaxSamplesPerRound)
        {
            errors.Add(new(P + "samples_per_round", $"must be <= {RunSpecLimits.MaxSamplesPerRound}, got {spec.SamplesPerRound}"));
        }
        if (spec.MaxRounds > RunSpecLimits.MaxRounds)
        {
            errors.Add(new(P + "max_rounds", $"must be <= {RunSpecLimits.MaxRounds}, got {spec.MaxRounds}"));
        }
        if (spec.Name.Length > RunSpecLimits.MaxNameLength)
        {
            errors.Add(new(P + "name", $"must be at most {RunSpecLimits.MaxNameLength} characters, got {spec.Name.Length}"));
        }
        ValidateLabels(spec.Labels, errors);
        ValidateUnbudgetedSize(spec, options, errors);
        // The loop's own checks (samples_per_round, max_rounds, "a run needs an end"), under the same field names.
        var settings = RunPlan.ToLoopSettingsUnchecked(spec, options);
        foreach (var error in settings.Validate())
        {
            var field = P + error.Field;
            if (!errors.Any(e => e.Field == field || (error.Field == "budget" && e.Field.StartsWith(P + "budget.", StringComparison.Ordinal))))
            {
                errors.Add(error with { Field = field });
            }
        }
        return errors;
    }

    /// <summary>
    /// A run without a spending limit (samples, teacher calls, tokens or cost) is bounded by its rounds alone: it must have
    /// max_rounds, and its generations (samples_per_round × max_rounds, × overgenerate_factor when overgenerating) must stay
    /// within <see cref="RunPlanOptions.MaxGenerationsWithoutBudget"/>. A wall time alone does not bound what a fast teacher spends.
    /// </summary>
    private static void ValidateUnbudgetedSize(RunSpec spec, RunPlanOptions options, List<SpecError> errors)
    {
        var budget = spec.Budget ?? new Budget();
        if (budget.MaxSamples > 0 || budget.MaxTeacherCalls > 0 || budget.MaxTeacherTokens > 0 || budget.MaxCostUsd > 0
            || spec.SamplesPerRound <= 0 || spec.MaxRounds < 0)
        {
            return; // limited by a budget, or refused for its own fields
        }
        var setting = $"Selection:{nameof(RunPlanOptions.MaxGenerationsWithoutBudget)}";
        if (spec.MaxRounds == 0)
        {
            if (spec.Budget?.MaxWallTime is { } wall && (wall.Seconds > 0 || wall.Nanos > 0))
            {
                errors.Add(new(P + "max_rounds", $"is required without a budget limit on samples, teacher calls, tokens or cost (a wall time alone does not bound spending); at most {options.MaxGenerationsWithoutBudget} generations in all ({setting})"));
            }
            return; // no end at all: the loop's own check says so
        }
        var factor = spec.Mode == Contracts.V1.GenerationMode.Overgenerate ? Math.Max(1, spec.OvergenerateFactor) : 1;
        var generations = (long)spec.SamplesPerRound * spec.MaxRounds * factor;
        if (generations > options.MaxGenerationsWithoutBudget)
        {
            errors.Add(new(P + "max_rounds", $"samples_per_round × max_rounds{(factor > 1 ? " × overgenerate_factor" : "")} = {generations} generations without a budget limit on samples, teacher calls, tokens or cost; at most {options.MaxGenerationsWithoutBudget} ({setting}): set a budget or fewer rounds"));
        }
    }

    private static void ValidateLabels(IDictionary<string, string> labels, List<SpecError> errors)
    {
        if (labels.Keys.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add(new(P + "labels", "keys must not be empty"));
        }
        if (labels.Count > RunSpecLimits.MaxLabels)
        {
            errors.Add(new(P + "labels", $"at most {RunSpecLimits.MaxLabels} labels, got {labels.Count}"));
        }
        foreach (var (key, value) in labels)
        {
            if (key.Length > RunSpecLimits.MaxLabelKeyLength || value.Length > RunSpecLimits.MaxLabelValueLength)
            {
                errors.Add(new($"{P}labels[{Shorten(key)}]",
                    $"keys are at most {RunSpecLimits.MaxLabelKeyLength} and values {RunSpecLimits.MaxLabelValueLength} characters, got {key.Length} and {value.Length}"));
                break;
            }
        }
    }

    private static void ValidateOptions(IDictionary<string, string> options, string field, List<SpecError> errors)
    {
        if (options.Count > RunSpecLimits.MaxOptions || options.Any(o => o.Key.Length > RunSpecLimits.MaxOptionLength || o.Value.Length > RunSpecLimits.MaxOptionLength))
        {
            errors.Add(new(field, $"at most {RunSpecLimits.MaxOptions} options of at most {RunSpecLimits.MaxOptionLength} characters each"));
        }
    }

    /// <summary>seed_file, test_file, student.path: relative to the artifact root and never leaving it (absolute task files: see TaskSets).</summary>
    private static void ValidatePath(string path, string field, bool mayBeAbsolute, List<SpecError> errors)
    {
        if (path.Length == 0)
        {
            return;
        }
        if (path.Length > RunSpecLimits.MaxPathLength)
        {
            errors.Add(new(field, $"must be at most {RunSpecLimits.MaxPathLength} characters, got {path.Length}"));
        }
        else if (!(mayBeAbsolute && Path.IsPathRooted(path)) && ArtifactStore.ProblemWith(path) is { } problem)
        {
            errors.Add(new(field, $"'{Shorten(path)}' {problem}"));
        }
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";

    private static void ValidateTask(TaskSpec task, RunPlanOptions options, List<SpecError> errors)
    {
        ValidatePath(task.SeedFile, P + "task.seed_file", mayBeAbsolute: true, errors);
        ValidatePath(task.TestFile, P + "task.test_file", mayBeAbsolute: true, errors);
        if (task.Families.Count > RunSpecLimits.MaxFamilies)
        {
            errors.Add(new(P + "task.families", $"at most {RunSpecLimits.MaxFamilies} families, got {task.Families.Count}"));
        }
        if (task.SeedItems.Count > options.MaxSeedPoolSize)
        {
            errors.Add(new(P + "task.seed_items", $"at most {options.MaxSeedPoolSize} items, got {task.SeedItems.Count}"));
        }
        if (task.TestItems.Count > options.MaxTestSetSize)
        {
            errors.Add(new(P + "task.test_items", $"at most {options.MaxTestSetSize} items, got {task.TestItems.Count}"));
        }
        if (task.ImportedFamily.Length > 0 && !TaskFamilyRegistry.Default.IsKnown(task.ImportedFamily))
        {
            errors.Add(new(P + "task.imported_family", $"unknown family '{Shorten(task.ImportedFamily)}'; known: {string.Join(", ", TaskFamilyRegistry.Default.AllNames)}"));
        }
        var generatesSeeds = task.SeedItems.Count == 0 && string.IsNullOrWhiteSpace(task.SeedFile);
        var generatesTest = task.TestItems.Count == 0 && string.IsNullOrWhiteSpace(task.TestFile);
        var families = new List<ITaskFamily>();
        for (var i = 0; i < task.Families.Count; i++)
        {
            if (TaskFamilyRegistry.Default.Find(task.Families[i]) is { } family)
            {
                families.Add(family);
            }
            else if (TaskFamilyRegistry.Default.FindDatasetFamily(task.Families[i]) is { } imported)
            {
                errors.Add(new($"{P}task.families[{i}]", $"'{imported.Name}' is a family of imported data: it grades items but cannot generate them; "
                    + $"give task.seed_file and task.test_file with task.imported_family \"{imported.Name}\" instead (generating families: {string.Join(", ", TaskFamilyRegistry.Default.Names)})"));
            }
            else
            {
                errors.Add(new($"{P}task.families[{i}]", $"unknown family '{Shorten(task.Families[i])}'; known: {string.Join(", ", TaskFamilyRegistry.Default.Names)}"));
            }
        }
        if ((generatesSeeds || generatesTest) && task.Families.Count == 0)
        {
            errors.Add(new(P + "task.families", "at least one family is required to generate the seed pool or test set"));
        }
        var max = task.MaxDifficulty == 0 ? task.MinDifficulty : task.MaxDifficulty;
        if (task.MinDifficulty < 0)
        {
            errors.Add(new(P + "task.min_difficulty", $"must be >= 0, got {task.MinDifficulty}"));
        }
        else if (max < task.MinDifficulty)
        {
            errors.Add(new(P + "task.max_difficulty", $"must be >= min_difficulty ({task.MinDifficulty}) or 0, got {task.MaxDifficulty}"));
        }
        else if (families.Count > 0 && families.Count == task.Families.Count
            && !families.Any(f => Math.Max(task.MinDifficulty, f.MinDifficulty) <= Math.Min(max, f.MaxDifficulty)))
        {
            errors.Add(new(P + "task.min_difficulty", $"no family has a difficulty in [{task.MinDifficulty}, {max}]"));
        }
        if (generatesSeeds && (task.SeedPoolSize <= 0 || task.SeedPoolSize > options.MaxSeedPoolSize))
        {
            errors.Add(new(P + "task.seed_pool_size", $"must be 1..{options.MaxSeedPoolSize}, got {task.SeedPoolSize}"));
        }
        if (generatesTest && (task.TestSetSize <= 0 || task.TestSetSize > options.MaxTestSetSize))
        {
            errors.Add(new(P + "task.test_set_size", $"must be 1..{options.MaxTestSetSize}, got {task.TestSetSize}"));
        }
        ValidateItems(task.SeedItems, P + "task.seed_items", errors);
        ValidateItems(task.TestItems, P + "task.test_items", errors);
    }

    private static void ValidateItems(IReadOnlyList<SeedItem> items, string field, List<SpecError> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (string.IsNullOrEmpty(item.Id) || item.Id.Contains('/', StringComparison.Ordinal) || !ids.Add(item.Id))
            {
                errors.Add(new($"{field}[{i}].id", "is required, unique and without '/'"));
            }
            if (string.IsNullOrWhiteSpace(item.Question))
            {
                errors.Add(new($"{field}[{i}].question", "is required"));
            }
            if (string.IsNullOrWhiteSpace(item.Answer))
            {
                errors.Add(new($"{field}[{i}].answer", "is required (GSM8K format: reasoning, then '#### <answer>')"));
            }
        }
    }

    private static void ValidateStudent(StudentSpec student, List<SpecError> errors)
    {
        if (student.Kind is not (StudentKind.Unspecified or StudentKind.Embedded or StudentKind.Hf))
        {
            errors.Add(new(P + "student.kind", $"{KindName(student.Kind)} is not supported by this deployment's scorer and trainer; use STUDENT_KIND_EMBEDDED or STUDENT_KIND_HF"));
        }
        if (student.Kind == StudentKind.Hf)
        {
            ValidateHfStudent(student, errors);
        }
        else if (EmbeddedStudentOptions.Problem(student.Options, TaskFamilyRegistry.Default) is { } baseFamilies)
        {
            errors.Add(new($"{P}student.options[{EmbeddedStudentOptions.BaseFamilies}]", baseFamilies));
        }
        if (student.Layers < 0 || student.DModel < 0 || student.Heads < 0 || student.ContextLength < 0 || student.MaxNewTokens < 0)
        {
            errors.Add(new(P + "student", "layers, d_model, heads, context_length and max_new_tokens must be >= 0 (0 = service default)"));
        }
        ValidatePath(student.Path, P + "student.path", mayBeAbsolute: false, errors);
        ValidateOptions(student.Options, P + "student.options", errors);
        // The embedded student's shape limits are the Training service's own (one definition in Core), so a spec accepted here
        // is one every Training replica can build.
        Shape(student.Layers, 1, EmbeddedStudentShapeLimits.MaxLayers, "layers");
        Shape(student.DModel, EmbeddedStudentShapeLimits.MinDModel, EmbeddedStudentShapeLimits.MaxDModel, "d_model");
        Shape(student.Heads, 1, EmbeddedStudentShapeLimits.MaxHeads, "heads");
        Shape(student.ContextLength, EmbeddedStudentShapeLimits.MinContext, EmbeddedStudentShapeLimits.MaxContext, "context_length");
        Max(student.MaxNewTokens, RunSpecLimits.MaxStudentNewTokens, "max_new_tokens");
        if (student.DModel > 0 && student.Heads > 0 && student.DModel % student.Heads != 0)
        {
            errors.Add(new(P + "student.heads", $"must divide d_model ({student.DModel}), got {student.Heads}"));
        }
        if (student.Tokenizer is not ("" or "byte"))
        {
            errors.Add(new(P + "student.tokenizer", $"'{Shorten(student.Tokenizer)}' is not supported; use 'byte' or leave it empty"));
        }
        if (student.Device.Length > 0 && student.Device != "cpu" && !student.Device.StartsWith("cuda", StringComparison.Ordinal))
        {
            errors.Add(new(P + "student.device", $"must be 'cpu', 'cuda' or 'cuda:<n>', got '{Shorten(student.Device)}'"));
        }

        void Max(int value, int max, string name)
        {
            if (value > max)
            {
                errors.Add(new($"{P}student.{name}", $"must be <= {max}, got {value}"));
            }
        }

        void Shape(int value, int min, int max, string name)
        {
            if (value != 0 && (value < min || value > max))
            {
                errors.Add(new($"{P}student.{name}", $"must be 0 (the service's default) or {min}..{max}, the embedded student's limit (the Training service builds nothing larger), got {value}"));
            }
        }
    }

    /// <summary>
    /// A Hugging Face student is its model directory: the embedded student's shape fields do not apply. Its options are
    /// checked here as values; that the directory holds a usable model is checked by the Training service in round 0.
    /// </summary>
    private static void ValidateHfStudent(StudentSpec student, List<SpecError> errors)
    {
        if (student.Path.Length == 0)
        {
            errors.Add(new(P + "student.path", "is required for STUDENT_KIND_HF: the model directory (config.json, *.safetensors, tokenizer.json), relative to the artifact root"));
        }
        if (student.Layers != 0 || student.DModel != 0 || student.Heads != 0 || student.ContextLength != 0)
        {
            errors.Add(new(P + "student", "layers, d_model, heads and context_length are the embedded student's; leave them 0 for STUDENT_KIND_HF (the shape comes from config.json, the context from options max_context)"));
        }
        if (student.Tokenizer.Length > 0)
        {
            errors.Add(new(P + "student.tokenizer", "leave it empty for STUDENT_KIND_HF (the model's tokenizer.json is used)"));
        }
        try
        {
            HfStudentOptionValues.Parse(student.Options);
        }
        catch (HfOptionException ex)
        {
            errors.Add(new($"{P}student.options[{ex.Key}]", ex.Reason));
        }
    }

    private static void ValidateTeacher(TeacherSpec teacher, List<SpecError> errors)
    {
        if (!Enum.IsDefined(teacher.Kind))
        {
            errors.Add(new(P + "teacher.kind", $"unknown value {(int)teacher.Kind}"));
        }
        if (teacher.ErrorRate is < 0 or > 1 || double.IsNaN(teacher.ErrorRate))
        {
            errors.Add(new(P + "teacher.error_rate", $"must be in [0, 1], got {teacher.ErrorRate}"));
        }
        if (teacher.Temperature is < 0 or > 2 || double.IsNaN(teacher.Temperature))
        {
            errors.Add(new(P + "teacher.temperature", $"must be in [0, 2], got {teacher.Temperature}"));
        }
        if (teacher.MaxCompletionTokens < 0 || teacher.MaxCompletionTokens > RunSpecLimits.MaxTeacherCompletionTokens)
        {
            errors.Add(new(P + "teacher.max_completion_tokens", $"must be 0..{RunSpecLimits.MaxTeacherCompletionTokens}, got {teacher.MaxCompletionTokens}"));
        }
        ValidateOptions(teacher.Options, P + "teacher.options", errors);
    }

    private static void ValidateStrategy(StrategySpec strategy, List<SpecError> errors)
    {
        if (string.IsNullOrWhiteSpace(strategy.Name))
        {
            errors.Add(new(P + "strategy.name", "is required; one of " + string.Join(", ", StrategyRegistry.Names)));
            return;
        }
        ValidateOptions(strategy.Options, P + "strategy.options", errors);
        if (!StrategyRegistry.Contains(strategy.Name))
        {
            errors.Add(new(P + "strategy.name", $"unknown strategy '{Shorten(strategy.Name)}'; one of {string.Join(", ", StrategyRegistry.Names)}"));
            return;
        }
        try
        {
            StrategyRegistry.Create(strategy.Name, strategy.Options);
        }
        catch (ArgumentException ex)
        {
            errors.Add(new(P + "strategy.options", ex.Message.Split(" (Parameter", 2)[0]));
        }
    }

    private static void ValidateBudget(Budget budget, List<SpecError> errors)
    {
        Check(budget.MaxSamples, "max_samples");
        Check(budget.MaxTeacherCalls, "max_teacher_calls");
        Check(budget.MaxTeacherTokens, "max_teacher_tokens");
        if (budget.MaxCostUsd < 0 || !double.IsFinite(budget.MaxCostUsd))
        {
            errors.Add(new(P + "budget.max_cost_usd", $"must be >= 0 (0 = unlimited), got {budget.MaxCostUsd}"));
        }
        if (budget.MaxWallTime is { } wall)
        {
            // ToTimeSpan throws on a Duration protobuf calls invalid (nanos out of range, signs differing, past 10,000
            // years); the mapper calls it too, so an invalid one must be stopped here, not surface as an internal error.
            if (!WallTime(wall, out var span))
            {
                errors.Add(new(P + "budget.max_wall_time", $"is not a valid duration (seconds {wall.Seconds}, nanos {wall.Nanos})"));
            }
            else if (span < TimeSpan.Zero || span > RunSpecLimits.MaxWallTime)
            {
                errors.Add(new(P + "budget.max_wall_time", $"must be 0 (unlimited) to {RunSpecLimits.MaxWallTime.TotalDays} days, got {span}"));
            }
        }

        void Check(long value, string name)
        {
            if (value < 0)
            {
                errors.Add(new($"{P}budget.{name}", $"must be >= 0 (0 = unlimited), got {value}"));
            }
        }
    }

    internal static bool WallTime(Google.Protobuf.WellKnownTypes.Duration wall, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        if (wall.Nanos is <= -1_000_000_000 or >= 1_000_000_000 || (wall.Seconds < 0 && wall.Nanos > 0) || (wall.Seconds > 0 && wall.Nanos < 0)
            || Math.Abs(wall.Seconds) > (long)TimeSpan.MaxValue.TotalSeconds - 1)
        {
            return false;
        }
        span = wall.ToTimeSpan();
        return true;
    }

    private static void ValidateTraining(TrainingOptions o, List<SpecError> errors)
    {
        if (o.Steps > RunSpecLimits.MaxTrainingSteps || o.Epochs > RunSpecLimits.MaxTrainingEpochs || o.BatchSize > RunSpecLimits.MaxTrainingBatchSize)
        {
            errors.Add(new(P + "training",
                $"steps, epochs and batch_size must be <= {RunSpecLimits.MaxTrainingSteps}, {RunSpecLimits.MaxTrainingEpochs} and {RunSpecLimits.MaxTrainingBatchSize}"));
        }
        if (o.Steps < 0 || o.Epochs < 0 || o.BatchSize < 0 || o.WarmupSteps < 0)
        {
            errors.Add(new(P + "training", "steps, epochs, batch_size and warmup_steps must be >= 0"));
        }
        if (o.LearningRate is < 0 or > 1 || double.IsNaN(o.LearningRate))
        {
            errors.Add(new(P + "training.learning_rate", $"must be in [0, 1], got {o.LearningRate}"));
        }
        if (o.ReplayFraction is < 0 or >= 1 || double.IsNaN(o.ReplayFraction))
        {
            errors.Add(new(P + "training.replay_fraction", $"must be in [0, 1), got {o.ReplayFraction}"));
        }
        if (o.LrSchedule is not ("" or "cosine" or "constant"))
        {
            errors.Add(new(P + "training.lr_schedule", $"must be 'cosine' or 'constant', got '{Shorten(o.LrSchedule)}'"));
        }
        if (!(o.WeightDecay is >= 0 and <= 1) || !(o.GradClip >= 0) || double.IsPositiveInfinity(o.GradClip))
        {
            errors.Add(new(P + "training.weight_decay", "weight_decay must be in [0, 1] and grad_clip >= 0"));
        }
        if (!Enum.IsDefined(o.Init))
        {
            errors.Add(new(P + "training.init", $"unknown value {(int)o.Init}"));
        }
    }

    private static string KindName(StudentKind kind) => kind == StudentKind.Hf ? "STUDENT_KIND_HF" : $"value {(int)kind}";
}
