using System.Text;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// Every invalid RunSpec field through the real StartRun over a socket: InvalidArgument whose detail names the field
/// (and, for files, the line), and nothing created: ListRuns, Redis and the artifact directory are as before.
/// </summary>
public sealed class HostileRunSpecTests(SelectionApiFixture api) : IClassFixture<SelectionApiFixture>
{
    public static TheoryData<string, string, string> BadSpecs => new()
    {
        // change, field named in the detail, further text the detail must contain
        { "samples_per_round_zero", "spec.samples_per_round", "must be > 0" },
        { "samples_per_round_absurd", "spec.samples_per_round", "must be <= 100000" },
        { "max_rounds_negative", "spec.max_rounds", "must be >= 0" },
        { "max_rounds_absurd", "spec.max_rounds", "must be <= 100000" },
        { "mode_unknown", "spec.mode", "unknown value 99" },
        { "overgenerate_factor_one", "spec.overgenerate_factor", "must be >= 2" },
        { "overgenerate_factor_absurd", "spec.overgenerate_factor", "must be 0..64" },
        { "overgenerate_factor_negative", "spec.overgenerate_factor", "must be 0..64" },
        { "name_huge", "spec.name", "at most 256 characters" },
        { "label_empty_key", "spec.labels", "keys must not be empty" },
        { "labels_too_many", "spec.labels", "at most 64 labels" },
        { "label_value_huge", "spec.labels[group]", "values 256 characters" },
        { "strategy_missing", "spec.strategy.name", "is required" },
        { "strategy_unknown", "spec.strategy.name", "unknown strategy 'loss-highest'" },
        { "strategy_option_bad", "spec.strategy.options", "" },
        { "strategy_options_too_many", "spec.strategy.options", "at most 64 options" },
        { "family_unknown", "spec.task.families[1]", "unknown family 'poetry'" },
        { "families_none", "spec.task.families", "at least one family" },
        { "families_too_many", "spec.task.families", "at most 64 families" },
        { "imported_family_unknown", "spec.task.imported_family", "unknown family 'sonnets'" },
        { "min_difficulty_negative", "spec.task.min_difficulty", "must be >= 0" },
        { "max_below_min_difficulty", "spec.task.max_difficulty", "must be >= min_difficulty" },
        { "difficulty_no_family", "spec.task.min_difficulty", "no family has a difficulty" },
        { "seed_pool_zero", "spec.task.seed_pool_size", "must be 1..1000" },
        { "seed_pool_absurd", "spec.task.seed_pool_size", "must be 1..1000, got 2000000000" },
        { "test_set_negative", "spec.task.test_set_size", "must be 1..1000" },
        { "seed_items_no_answer", "spec.task.seed_items[0].answer", "is required" },
        { "seed_items_duplicate_id", "spec.task.seed_items[1].id", "unique" },
        { "seed_items_too_many", "spec.task.seed_items", "at most 1000 items" },
        { "test_items_no_question", "spec.task.test_items[0].question", "is required" },
        { "seed_file_traversal", "spec.task.seed_file", "leaves the artifact root" },
        { "test_file_traversal", "spec.task.test_file", "leaves the artifact root" },
        { "seed_file_absolute_outside", "spec.task.seed_file", "is outside the artifact root" },
        { "seed_file_etc_passwd", "spec.task.seed_file", "is outside the artifact root" },
        { "seed_file_symlink_out", "spec.task.seed_file", "points outside the artifact root" },
        { "seed_file_missing", "spec.task.seed_file", "file not found" },
        { "seed_file_broken_line", "spec.task.seed_file", "'seeds/broken.jsonl': line 2: not valid JSON" },
        { "seed_file_wrong_type", "spec.task.seed_file", "'seeds/typed.jsonl': line 1: field \"answer\" is not a string" },
        { "seed_file_invalid_utf8", "spec.task.seed_file", "line 1: is not valid UTF-8" },
        { "seed_file_huge_line", "spec.task.seed_file", "line 1: line is longer than" },
        { "seed_file_empty", "spec.task.seed_file", "holds no items" },
        { "seed_file_too_many", "spec.task.seed_file", "holds 1001 items; at most 1000 (Selection:MaxSeedPoolSize)" },
        { "student_kind_hf", "spec.student.path", "is required for STUDENT_KIND_HF" },
        { "student_negative", "spec.student", "must be >= 0" },
        { "student_layers_absurd", "spec.student.layers", "or 1..64, the embedded student's limit" },
        { "student_layers_past_the_trainer", "spec.student.layers", "or 1..64, the embedded student's limit" },
        { "student_d_model_absurd", "spec.student.d_model", "or 8..8192, the embedded student's limit" },
        { "student_d_model_past_the_trainer", "spec.student.d_model", "or 8..8192, the embedded student's limit (the Training service builds nothing larger), got 16384" },
        { "student_d_model_below_the_trainer", "spec.student.d_model", "or 8..8192, the embedded student's limit (the Training service builds nothing larger), got 4" },
        { "student_heads_absurd", "spec.student.heads", "or 1..64, the embedded student's limit" },
        { "student_heads_not_dividing", "spec.student.heads", "must divide d_model" },
        { "student_context_absurd", "spec.student.context_length", "or 8..65536, the embedded student's limit" },
        { "student_context_past_the_trainer", "spec.student.context_length", "or 8..65536, the embedded student's limit (the Training service builds nothing larger), got 131072" },
        { "student_new_tokens_absurd", "spec.student.max_new_tokens", "must be <= 32768" },
        { "student_tokenizer", "spec.student.tokenizer", "'bpe' is not supported" },
        { "student_device", "spec.student.device", "must be 'cpu', 'cuda'" },
        { "student_path_traversal", "spec.student.path", "leaves the artifact root" },
        { "student_path_absolute", "spec.student.path", "must be relative to the artifact root" },
        { "teacher_kind_unknown", "spec.teacher.kind", "unknown value 42" },
        { "teacher_error_rate", "spec.teacher.error_rate", "must be in [0, 1]" },
        { "teacher_temperature_nan", "spec.teacher.temperature", "must be in [0, 2]" },
        { "teacher_completion_negative", "spec.teacher.max_completion_tokens", "must be 0..131072" },
        { "teacher_completion_absurd", "spec.teacher.max_completion_tokens", "must be 0..131072" },
        { "budget_samples_negative", "spec.budget.max_samples", "must be >= 0" },
        { "budget_calls_negative", "spec.budget.max_teacher_calls", "must be >= 0" },
        { "budget_tokens_negative", "spec.budget.max_teacher_tokens", "must be >= 0" },
        { "budget_cost_negative", "spec.budget.max_cost_usd", "must be >= 0" },
        { "budget_cost_nan", "spec.budget.max_cost_usd", "must be >= 0" },
        { "budget_wall_negative", "spec.budget.max_wall_time", "must be 0 (unlimited) to 366 days" },
        { "budget_wall_invalid_duration", "spec.budget.max_wall_time", "is not a valid duration" },
        { "budget_wall_ten_thousand_years", "spec.budget.max_wall_time", "must be 0 (unlimited) to 366 days" },
        { "no_end", "spec.budget", "a run needs an end" },
        { "unbudgeted_too_many_generations", "spec.max_rounds", "= 10000000000 generations without a budget limit on samples, teacher calls, tokens or cost; at most 100000 (Selection:MaxGenerationsWithoutBudget)" },
        { "unbudgeted_overgeneration", "spec.max_rounds", "samples_per_round × max_rounds × overgenerate_factor = 128000 generations" },
        { "unbudgeted_wall_time_only", "spec.max_rounds", "is required without a budget limit" },
        { "training_negative_steps", "spec.training", "must be >= 0" },
        { "training_absurd_steps", "spec.training", "must be <= 10000000" },
        { "training_learning_rate", "spec.training.learning_rate", "must be in [0, 1]" },
        { "training_replay_fraction", "spec.training.replay_fraction", "must be in [0, 1)" },
        { "training_lr_schedule", "spec.training.lr_schedule", "must be 'cosine' or 'constant'" },
        { "training_grad_clip_nan", "spec.training.weight_decay", "grad_clip >= 0" },
        { "training_weight_decay_nan", "spec.training.weight_decay", "weight_decay must be in [0, 1]" },
        { "training_init_unknown", "spec.training.init", "unknown value 77" },
        { "spec_missing", "spec", "is required" },
        { "run_id_invalid", "run_id", "[a-z0-9-]" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task An_invalid_field_is_refused_over_the_socket_naming_it_and_creates_nothing(string change, string field, string detail)
    {
        var request = new StartRunRequest { RunId = $"hostile-{change.Replace('_', '-')}", Spec = Specs.Small() };
        Break(request, change);
        var before = await api.FootprintAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await api.Runs.StartRunAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(field + ": ", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(detail, e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await api.FootprintAsync());
        if (change != "run_id_invalid")
        {
            var lookup = await Assert.ThrowsAsync<RpcException>(async () => await api.Runs.GetRunAsync(new GetRunRequest { RunId = request.RunId }));
            Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
        }
    }

    [Fact]
    public async Task Several_bad_fields_are_all_named_in_one_answer()
    {
        var spec = Specs.Small();
        spec.SamplesPerRound = -3;
        spec.Student.Path = "../../etc";
        spec.Training.GradClip = double.NaN;

        var e = await Assert.ThrowsAsync<RpcException>(async () => await api.Runs.StartRunAsync(new StartRunRequest { Spec = spec }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("spec.samples_per_round: ", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("spec.student.path: ", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("spec.training.weight_decay: ", e.Status.Detail, StringComparison.Ordinal);
    }

    private void Break(StartRunRequest request, string change)
    {
        var spec = request.Spec;
        switch (change)
        {
            case "samples_per_round_zero": spec.SamplesPerRound = 0; break;
            case "samples_per_round_absurd": spec.SamplesPerRound = 1_000_000; break;
            case "max_rounds_negative": spec.MaxRounds = -1; break;
            case "max_rounds_absurd": spec.MaxRounds = 1_000_000_000; break;
            case "mode_unknown": spec.Mode = (GenerationMode)99; break;
            case "overgenerate_factor_one": spec.Mode = GenerationMode.Overgenerate; spec.OvergenerateFactor = 1; break;
            case "overgenerate_factor_absurd": spec.Mode = GenerationMode.Overgenerate; spec.OvergenerateFactor = 100_000; break;
            case "overgenerate_factor_negative": spec.OvergenerateFactor = -4; break;
            case "name_huge": spec.Name = new string('n', 10_000); break;
            case "label_empty_key": spec.Labels[" "] = "x"; break;
            case "labels_too_many": spec.Labels.Add(Enumerable.Range(0, 65).ToDictionary(i => $"k{i}", i => "v")); break;
            case "label_value_huge": spec.Labels["group"] = new string('v', 100_000); break;
            case "strategy_missing": spec.Strategy = null; break;
            case "strategy_unknown": spec.Strategy.Name = "loss-highest"; break;
            case "strategy_option_bad": spec.Strategy.Name = "loss-high-fam"; spec.Strategy.Options["mode"] = "sideways"; break;
            case "strategy_options_too_many": spec.Strategy.Options.Add(Enumerable.Range(0, 65).ToDictionary(i => $"o{i}", i => "1")); break;
            case "family_unknown": spec.Task.Families[1] = "poetry"; break;
            case "families_none": spec.Task.Families.Clear(); break;
            case "families_too_many": spec.Task.Families.Add(Enumerable.Repeat("copy", 65)); break;
            case "imported_family_unknown": spec.Task.ImportedFamily = "sonnets"; break;
            case "min_difficulty_negative": spec.Task.MinDifficulty = -1; break;
            case "max_below_min_difficulty": spec.Task.MinDifficulty = 3; spec.Task.MaxDifficulty = 2; break;
            case "difficulty_no_family": spec.Task.MinDifficulty = 1_000_000; spec.Task.MaxDifficulty = 0; break;
            case "seed_pool_zero": spec.Task.SeedPoolSize = 0; break;
            case "seed_pool_absurd": spec.Task.SeedPoolSize = 2_000_000_000; break;
            case "test_set_negative": spec.Task.TestSetSize = -1; break;
            case "seed_items_no_answer": spec.Task.SeedItems.Add(new SeedItem { Id = "s1", Question = "copy ab" }); break;
            case "seed_items_duplicate_id":
                spec.Task.SeedItems.Add(Item("s1"));
                spec.Task.SeedItems.Add(Item("s1"));
                break;
            case "seed_items_too_many": spec.Task.SeedItems.Add(Enumerable.Range(0, 1001).Select(i => Item($"s{i}"))); break;
            case "test_items_no_question": spec.Task.TestItems.Add(new SeedItem { Id = "t1", Answer = "#### 1" }); break;
            case "seed_file_traversal": spec.Task.SeedFile = "../../etc/passwd"; break;
            case "test_file_traversal": spec.Task.TestFile = "seeds/../../outside.jsonl"; break;
            case "seed_file_absolute_outside": spec.Task.SeedFile = Plant(api.Outside, "seeds.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n"); break;
            case "seed_file_etc_passwd": spec.Task.SeedFile = "/etc/passwd"; break;
            case "seed_file_symlink_out": spec.Task.SeedFile = PlantLinkOut(); break;
            case "seed_file_missing": spec.Task.SeedFile = "seeds/nowhere.jsonl"; break;
            case "seed_file_broken_line": spec.Task.SeedFile = PlantSeeds("broken.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{\"question\": \"q2\",\n"); break;
            case "seed_file_wrong_type": spec.Task.SeedFile = PlantSeeds("typed.jsonl", "{\"question\": \"q\", \"answer\": 5}\n"); break;
            case "seed_file_invalid_utf8": spec.Task.SeedFile = PlantSeeds("latin.jsonl", [(byte)'{', 0xFF, 0xFE, (byte)'}', (byte)'\n']); break;
            case "seed_file_huge_line": spec.Task.SeedFile = PlantSeeds("huge.jsonl", new string('x', 200_000)); break;
            case "seed_file_empty": spec.Task.SeedFile = PlantSeeds("empty.jsonl", ""); break;
            case "seed_file_too_many":
                spec.Task.SeedFile = PlantSeeds("many.jsonl", string.Concat(Enumerable.Range(0, 1001).Select(i => $"{{\"question\": \"q{i}\", \"answer\": \"#### {i}\"}}\n")));
                break;
            case "student_kind_hf": spec.Student.Kind = StudentKind.Hf; break;
            case "student_negative": spec.Student.Layers = -1; break;
            case "student_layers_absurd": spec.Student.Layers = 100_000; break;
            case "student_layers_past_the_trainer": spec.Student.Layers = 65; break;
            case "student_d_model_past_the_trainer": spec.Student.DModel = 16_384; spec.Student.Heads = 1; break;
            case "student_d_model_below_the_trainer": spec.Student.DModel = 4; spec.Student.Heads = 1; break;
            case "student_context_past_the_trainer": spec.Student.ContextLength = 131_072; break;
            case "student_d_model_absurd": spec.Student.DModel = 1 << 20; spec.Student.Heads = 1; break;
            case "student_heads_absurd": spec.Student.Heads = 1024; spec.Student.DModel = 1024; break;
            case "student_heads_not_dividing": spec.Student.DModel = 64; spec.Student.Heads = 3; break;
            case "student_context_absurd": spec.Student.ContextLength = 10_000_000; break;
            case "student_new_tokens_absurd": spec.Student.MaxNewTokens = 1_000_000; break;
            case "student_tokenizer": spec.Student.Tokenizer = "bpe"; break;
            case "student_device": spec.Student.Device = "tpu"; break;
            case "student_path_traversal": spec.Student.Path = "../../etc"; break;
            case "student_path_absolute": spec.Student.Path = "/etc"; break;
            case "teacher_kind_unknown": spec.Teacher.Kind = (TeacherKind)42; break;
            case "teacher_error_rate": spec.Teacher.ErrorRate = 1.5; break;
            case "teacher_temperature_nan": spec.Teacher.Temperature = double.NaN; break;
            case "teacher_completion_negative": spec.Teacher.MaxCompletionTokens = -1; break;
            case "teacher_completion_absurd": spec.Teacher.MaxCompletionTokens = 50_000_000; break;
            case "budget_samples_negative": spec.Budget.MaxSamples = -1; break;
            case "budget_calls_negative": spec.Budget.MaxTeacherCalls = -1; break;
            case "budget_tokens_negative": spec.Budget.MaxTeacherTokens = -5; break;
            case "budget_cost_negative": spec.Budget.MaxCostUsd = -0.01; break;
            case "budget_cost_nan": spec.Budget.MaxCostUsd = double.NaN; break;
            case "budget_wall_negative": spec.Budget.MaxWallTime = Duration.FromTimeSpan(TimeSpan.FromSeconds(-5)); break;
            case "budget_wall_invalid_duration": spec.Budget.MaxWallTime = new Duration { Seconds = 5, Nanos = -2_000_000_000 }; break;
            case "budget_wall_ten_thousand_years": spec.Budget.MaxWallTime = new Duration { Seconds = 315_576_000_000 }; break;
            case "no_end": spec.Budget = new Budget(); spec.MaxRounds = 0; break;
            case "unbudgeted_too_many_generations": spec.Budget = new Budget(); spec.SamplesPerRound = 100_000; spec.MaxRounds = 100_000; break;
            case "unbudgeted_overgeneration": spec.Budget = new Budget(); spec.SamplesPerRound = 1000; spec.MaxRounds = 8; spec.Mode = GenerationMode.Overgenerate; spec.OvergenerateFactor = 16; break;
            case "unbudgeted_wall_time_only": spec.Budget = new Budget { MaxWallTime = Duration.FromTimeSpan(TimeSpan.FromHours(1)) }; spec.MaxRounds = 0; break;
            case "training_negative_steps": spec.Training.Steps = -1; break;
            case "training_absurd_steps": spec.Training.Steps = int.MaxValue; break;
            case "training_learning_rate": spec.Training.LearningRate = 5; break;
            case "training_replay_fraction": spec.Training.ReplayFraction = 1; break;
            case "training_lr_schedule": spec.Training.LrSchedule = "linear"; break;
            case "training_grad_clip_nan": spec.Training.GradClip = double.NaN; break;
            case "training_weight_decay_nan": spec.Training.WeightDecay = double.NaN; break;
            case "training_init_unknown": spec.Training.Init = (TrainInit)77; break;
            case "spec_missing": request.Spec = null; break;
            case "run_id_invalid": request.RunId = "Bad_ID/../x"; break;
            default: throw new ArgumentOutOfRangeException(nameof(change), change, "no such change");
        }
    }

    private static SeedItem Item(string id) => new() { Id = id, Family = "copy", Question = "copy ab", Answer = "a,b\n#### ab" };

    private static string Plant(string directory, string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string PlantSeeds(string name, string text) => PlantSeeds(name, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes seeds/&lt;name&gt; under the artifact root and returns its relative path, as TaskSpec.seed_file takes it.</summary>
    private string PlantSeeds(string name, byte[] bytes)
    {
        Directory.CreateDirectory(Path.Combine(api.ArtifactsRoot, "seeds"));
        File.WriteAllBytes(Path.Combine(api.ArtifactsRoot, "seeds", name), bytes);
        return $"seeds/{name}";
    }

    /// <summary>seeds/leak.jsonl: a symbolic link to a valid seed file outside the root.</summary>
    private string PlantLinkOut()
    {
        var target = Plant(api.Outside, "linked.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n");
        Directory.CreateDirectory(Path.Combine(api.ArtifactsRoot, "seeds"));
        var link = Path.Combine(api.ArtifactsRoot, "seeds", "leak.jsonl");
        if (!File.Exists(link))
        {
            File.CreateSymbolicLink(link, target);
        }
        return "seeds/leak.jsonl";
    }
}
