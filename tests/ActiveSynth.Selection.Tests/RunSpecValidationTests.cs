using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.DefaultRun;
using ActiveSynth.Selection.Grpc;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Selection.Options;
using ActiveSynth.Selection.Tests.Support;
using Grpc.Core;

namespace ActiveSynth.Selection.Tests;

public sealed class RunSpecValidationTests
{
    private static readonly SelectionOptions Options = new();

    [Fact]
    public void The_default_spec_is_valid_and_maps_to_loop_settings()
    {
        var spec = DefaultRunSpec.Create();

        var settings = RunPlan.ToLoopSettings(spec, Options);

        Assert.Equal("loss-high", settings.Strategy);
        Assert.Equal(64, settings.SamplesPerRound);
        Assert.Equal(512, settings.Budget.MaxSamples);
        Assert.Equal(8, settings.MaxRounds);
        Assert.Equal(2, settings.GenerationReservation.TeacherCalls);
        Assert.Equal(2 * (Options.ReservationPromptTokens + Options.DefaultMaxCompletionTokens), settings.GenerationReservation.TeacherTokens);
        Assert.Equal(1, settings.JudgeReservation.TeacherCalls);
        Assert.Equal(Options.ReservationPromptTokens + Options.DefaultMaxCompletionTokens, settings.JudgeReservation.TeacherTokens);
    }

    public static TheoryData<string, string> BadFields => new()
    {
        { "samples_per_round", "spec.samples_per_round" },
        { "unknown_strategy", "spec.strategy.name" },
        { "strategy_option", "spec.strategy.options" },
        { "unknown_family", "spec.task.families[1]" },
        { "negative_budget", "spec.budget.max_teacher_tokens" },
        { "overgenerate_factor", "spec.overgenerate_factor" },
        { "hf_student", "spec.student.path" },
        { "hf_student_with_layers", "spec.student" },
        { "hf_student_with_tokenizer", "spec.student.tokenizer" },
        { "hf_student_bad_dtype", "spec.student.options[dtype]" },
        { "hf_student_unknown_option", "spec.student.options[lora_rnk]" },
        { "error_rate", "spec.teacher.error_rate" },
        { "no_end", "spec.budget" },
        { "seed_pool", "spec.task.seed_pool_size" },
        { "difficulty", "spec.task.max_difficulty" },
        { "lr_schedule", "spec.training.lr_schedule" },
        { "seed_item", "spec.task.seed_items[0].answer" },
        { "negative_rounds", "spec.max_rounds" },
        { "base_families_unknown", "spec.student.options[base_families]" },
        { "base_families_empty", "spec.student.options[base_families]" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void Every_bad_field_is_named(string change, string field)
    {
        var spec = Specs.Small();
        Break(spec, change);

        var errors = RunSpecValidator.Validate(spec, Options);

        Assert.Contains(errors, e => e.Field == field);
        var ex = Assert.Throws<SpecValidationException>(() => RunPlan.ToLoopSettings(spec, Options));
        var rpc = Refused(ex);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Contains(field + ": ", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hugging_face_student_with_a_path_is_accepted()
    {
        var spec = Specs.Small();
        spec.Student.Kind = StudentKind.Hf;
        spec.Student.Path = "models/qwen2.5-0.5b-instruct";
        spec.Student.Options.Add("dtype", "bfloat16");

        Assert.Empty(RunSpecValidator.Validate(spec, Options));
    }

    [Fact]
    public void The_static_strategy_and_a_benchmark_preset_are_accepted()
    {
        var spec = Specs.Small();
        spec.Strategy.Name = "static";
        BenchmarkPresets.Apply(BenchmarkPresets.ArithLogic, spec);

        Assert.Empty(RunSpecValidator.Validate(spec, Options));
        Assert.Equal("step10,bool", spec.Student.Options["base_families"]);
        Assert.Equal(["step10", "bool"], spec.Task.Families);
    }

    [Fact]
    public void The_detail_reads_field_colon_problem()
    {
        var spec = Specs.Small();
        spec.SamplesPerRound = 0;

        var rpc = Refused(Assert.Throws<SpecValidationException>(() => RunPlan.ToLoopSettings(spec, Options)));

        Assert.StartsWith("spec.samples_per_round: must be > 0", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_spec_is_named()
    {
        var errors = RunSpecValidator.Validate(null, Options);

        Assert.Equal("spec", Assert.Single(errors).Field);
    }

    private static void Break(RunSpec spec, string change)
    {
        switch (change)
        {
            case "samples_per_round": spec.SamplesPerRound = 0; break;
            case "unknown_strategy": spec.Strategy.Name = "loss-highest"; break;
            case "strategy_option": spec.Strategy.Name = "loss-high-fam"; spec.Strategy.Options["mode"] = "sideways"; break;
            case "unknown_family": spec.Task.Families[1] = "poetry"; break;
            case "negative_budget": spec.Budget.MaxTeacherTokens = -5; break;
            case "overgenerate_factor": spec.Mode = GenerationMode.Overgenerate; spec.OvergenerateFactor = 1; break;
            case "hf_student": spec.Student.Kind = StudentKind.Hf; break;
            case "hf_student_with_layers": spec.Student.Kind = StudentKind.Hf; spec.Student.Path = "models/qwen"; spec.Student.Layers = 4; break;
            case "hf_student_bad_dtype": spec.Student.Kind = StudentKind.Hf; spec.Student.Path = "models/qwen"; spec.Student.Options["dtype"] = "float8"; break;
            case "hf_student_unknown_option": spec.Student.Kind = StudentKind.Hf; spec.Student.Path = "models/qwen"; spec.Student.Options["lora_rnk"] = "8"; break;
            case "hf_student_with_tokenizer": spec.Student.Kind = StudentKind.Hf; spec.Student.Path = "models/qwen"; spec.Student.Tokenizer = "byte"; break;
            case "error_rate": spec.Teacher.ErrorRate = 1.5; break;
            case "no_end": spec.Budget = new Budget(); spec.MaxRounds = 0; break;
            case "seed_pool": spec.Task.SeedPoolSize = 0; break;
            case "difficulty": spec.Task.MinDifficulty = 3; spec.Task.MaxDifficulty = 2; break;
            case "lr_schedule": spec.Training.LrSchedule = "linear"; break;
            case "seed_item": spec.Task.SeedItems.Add(new SeedItem { Id = "s1", Question = "copy ab" }); break;
            case "negative_rounds": spec.MaxRounds = -1; break;
            case "base_families_unknown": spec.Student.Options["base_families"] = "sum10,poetry"; break;
            case "base_families_empty": spec.Student.Options["base_families"] = " , "; break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }
    }

    private static RpcException Refused(SpecValidationException ex) =>
        Assert.IsType<RpcException>(new RpcExceptionMap([]).TryMap(ex, out var refusal) ? refusal.ToRpcException() : null);
}
