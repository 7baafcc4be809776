using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Testing;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teacher.Grpc;
using ActiveSynth.Workers.Teacher;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Embedded;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ActiveSynth.Teacher.Tests;

/// <summary>Teacher.Generate and Teacher.Judge in-process with the embedded teacher and an in-memory cache.</summary>
public sealed class TeacherApiTests : IDisposable
{
    private readonly ServiceProvider _metricsServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly TeacherApi _api;
    private readonly TeacherClients _clients;
    private readonly TeacherWork _work;

    public TeacherApiTests()
    {
        var configuration = new ConfigurationBuilder().Build();
        _clients = new TeacherClients(MsOptions.Create(new TeacherServiceOptions()), MsOptions.Create(new ResponseCacheOptions()),
            MsOptions.Create(new RetryOptions()), MsOptions.Create(new RateLimitOptions()), MsOptions.Create(new EmbeddedTeacherOptions()),
            configuration, TeacherResponseCache.InMemory().Store, new InMemoryCallStartMarks(), NullLogger<TeacherClients>.Instance);
        var metrics = new TeacherMetrics(_metricsServices.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var prices = new PriceTable(new Dictionary<string, ModelPrice> { ["embedded-teacher"] = new() { PromptPer1K = 1, CompletionPer1K = 2 } });
        var work = new TeacherWork(_clients, new SampleValidator(TaskFamilyRegistry.Default, new ValidationOptions()), new InMemorySeenQuestions(),
            prices, metrics, new ServiceIdentity("teacher", "test-1"), TimeProvider.System, MsOptions.Create(new TeacherServiceOptions()),
            NullLogger<TeacherWork>.Instance);
        _work = work;
        _api = new TeacherApi(work, new JudgeWork(_clients, prices, metrics, TimeProvider.System), _clients, MsOptions.Create(new TeacherServiceOptions()), prices);
    }

    public void Dispose()
    {
        _clients.Dispose();
        _metricsServices.Dispose();
    }

    /// <summary>A per-call token cap: what every Generate call must carry (or another budget limit).</summary>
    private static Budget Capped => new() { MaxTeacherTokens = 1_000_000 };

    private static SeedItem Seed(string family, int difficulty, int i)
    {
        var item = TaskFamilyRegistry.Default.Get(family).Generate($"seed-{i}", difficulty, new Random(i));
        return new SeedItem { Id = item.Id, Family = item.Family, Difficulty = item.Difficulty, Question = item.Question, Answer = item.Answer };
    }

    [Fact]
    public async Task Generate_writes_samples_with_lineage_and_usage()
    {
        var request = new GenerateBatchRequest { RunId = "run1", Round = 2, SamplesPerSeed = 2, Teacher = new TeacherSpec { RandomSeed = 5 }, Budget = Capped };
        request.Seeds.Add(Seed("rev", 2, 1));
        request.Seeds.Add(Seed("logic", 3, 2));
        var response = await _api.Generate(request, new TestCallContext());
        Assert.Equal(4, response.Samples.Count);
        Assert.Empty(response.Drops);
        var sample = response.Samples[0];
        Assert.Equal("rev", sample.Family);
        Assert.Equal("run1", sample.Lineage.RunId);
        Assert.Equal(2, sample.Lineage.Round);
        Assert.Equal("seed-1", sample.Lineage.SeedId);
        Assert.Equal("v1", sample.Lineage.PromptVersion);
        Assert.Equal(2, sample.Lineage.TeacherCallIds.Count);
        Assert.True(sample.Lineage.Usage.PromptTokens > 0);
        Assert.Equal(8, response.Usage.Calls);
        Assert.True(response.Usage.CostUsd > 0);

        var again = await _api.Generate(request, new TestCallContext());
        Assert.Equal(response.Samples.Select(s => s.Question), again.Samples.Select(s => s.Question));
        Assert.True(again.Usage.Cached);
        Assert.Equal(8, again.Usage.CacheHits);
        Assert.Equal((response.Usage.PromptTokens, response.Usage.CompletionTokens, response.Usage.CostUsd),
            (again.Usage.PromptTokens, again.Usage.CompletionTokens, again.Usage.CostUsd)); // what the samples cost...
        Assert.Equal((0, 0L, 0.0), (again.Usage.BilledCalls, again.Usage.BilledTokens, again.Usage.BilledCostUsd)); // ...billed to nobody
    }

    [Fact]
    public async Task A_budget_cap_is_never_overshot_by_concurrent_generations()
    {
        var request = new GenerateBatchRequest { RunId = "capped", Budget = new Budget { MaxSamples = 3 }, Teacher = new TeacherSpec { DisableCache = true } };
        for (var i = 0; i < 12; i++)
        {
            request.Seeds.Add(Seed("copy", 1 + (i % 4), 100 + i));
        }
        var response = await _api.Generate(request, new TestCallContext());
        Assert.Equal(3, response.Samples.Count);
        Assert.Equal(9, response.Drops.Count(d => d.Reason == DropReason.BudgetExhausted));
        Assert.All(response.Drops, d => Assert.Equal(0, d.Usage.PromptTokens));
    }

    [Theory]
    [InlineData("seeds")]
    [InlineData("seeds[0].question")]
    [InlineData("seeds[0].id")]
    [InlineData("samples_per_seed")]
    [InlineData("teacher.error_rate")]
    [InlineData("teacher.prompt_version")]
    [InlineData("budget.max_samples")]
    [InlineData("budget")]
    [InlineData("teacher.max_completion_tokens")]
    [InlineData("teacher.model")]
    public async Task Invalid_input_answers_invalid_argument_naming_the_field(string field)
    {
        var request = new GenerateBatchRequest { Teacher = new TeacherSpec(), Budget = Capped };
        if (field != "seeds")
        {
            request.Seeds.Add(Seed("rev", 1, 1));
        }
        switch (field)
        {
            case "seeds[0].question": request.Seeds[0].Question = " "; break;
            case "seeds[0].id": request.Seeds[0].Id = "a/b"; break;
            case "samples_per_seed": request.SamplesPerSeed = 1000; break;
            case "teacher.error_rate": request.Teacher.ErrorRate = 1.5; break;
            case "teacher.prompt_version": request.Teacher.PromptVersion = "v99"; break;
            case "budget.max_samples": request.Budget = new Budget { MaxSamples = -1 }; break;
            case "budget": request.Budget = new Budget { MaxWallTime = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) }; break;
            case "teacher.max_completion_tokens": request.Teacher.MaxCompletionTokens = 4_097; break;
            case "teacher.model": request.Teacher.Model = "gpt-4.5-preview"; break;
        }
        var e = await Assert.ThrowsAsync<RpcException>(() => _api.Generate(request, new TestCallContext()));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith(field + " ", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Openai_without_a_connection_is_a_failed_precondition()
    {
        var request = new GenerateBatchRequest { Teacher = new TeacherSpec { Kind = TeacherKind.Openai }, Budget = Capped };
        request.Seeds.Add(Seed("rev", 1, 1));
        var e = await Assert.ThrowsAsync<RpcException>(() => _api.Generate(request, new TestCallContext()));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Contains("teacher.kind", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_refusals_name_the_setting_that_allows_more()
    {
        var request = new GenerateBatchRequest { Teacher = new TeacherSpec { MaxCompletionTokens = 100_000 }, Budget = Capped };
        request.Seeds.Add(Seed("rev", 1, 1));
        var tokens = await Assert.ThrowsAsync<RpcException>(() => _api.Generate(request, new TestCallContext()));
        Assert.Equal("teacher.max_completion_tokens must be at most 4096 (Teacher:MaxCompletionTokens)", tokens.Status.Detail);

        request.Teacher = new TeacherSpec { Model = "gpt-4.5-preview" };
        var model = await Assert.ThrowsAsync<RpcException>(() => _api.Generate(request, new TestCallContext()));
        Assert.Equal(StatusCode.InvalidArgument, model.StatusCode);
        Assert.Contains("'gpt-4.5-preview' is not a model this teacher may use; allowed: embedded-teacher", model.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Teacher:AllowedModels", model.Status.Detail, StringComparison.Ordinal);

        request.Budget = null;
        request.Teacher = new TeacherSpec();
        var budget = await Assert.ThrowsAsync<RpcException>(() => _api.Generate(request, new TestCallContext()));
        Assert.StartsWith("budget is required: set max_teacher_tokens", budget.Status.Detail, StringComparison.Ordinal);

        var judge = new JudgeRequest { Kind = JudgeKind.Difficulty, RequestId = "j", Teacher = new TeacherSpec { Model = "o1" } };
        judge.Items.Add(new JudgeItem { Item = Seed("rev", 1, 1) });
        var judged = await Assert.ThrowsAsync<RpcException>(() => _api.Judge(judge, new TestCallContext()));
        Assert.StartsWith("teacher.model ", judged.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_in_Teacher_AllowedModels_is_accepted_and_the_embedded_teachers_own_name_too()
    {
        var options = new TeacherServiceOptions { AllowedModels = ["gpt-4o-mini"] };
        using var clients = new TeacherClients(MsOptions.Create(options), MsOptions.Create(new ResponseCacheOptions()),
            MsOptions.Create(new RetryOptions()), MsOptions.Create(new RateLimitOptions()), MsOptions.Create(new EmbeddedTeacherOptions()),
            new ConfigurationBuilder().Build(), TeacherResponseCache.InMemory().Store, new InMemoryCallStartMarks(), NullLogger<TeacherClients>.Instance);

        Assert.Null(clients.ModelProblem(new TeacherSpec { Model = "gpt-4o-mini" }));
        Assert.Null(clients.ModelProblem(new TeacherSpec { Model = "embedded-teacher" }));
        Assert.Null(clients.ModelProblem(new TeacherSpec())); // no model named: the kind's configured one
        Assert.Contains("allowed: gpt-4o-mini, embedded-teacher", clients.ModelProblem(new TeacherSpec { Model = "gpt-4o" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_loops_requests_still_generate_with_their_completion_cap_above_the_maximum_and_a_model_outside_the_list_is_dropped_naming_it()
    {
        // What a run's chunk carries (RunPlan.TeacherForRequests): the kind, no model (the configured one), its completion cap.
        var chunk = new GenerateChunk { RunId = "loop", Round = 1 };
        for (var slot = 0; slot < 2; slot++)
        {
            chunk.Requests.Add(new GenerateRequest
            {
                RunId = "loop", Round = 1, Slot = slot, Attempt = 1, SampleId = $"r1-s{slot}", Seed = Seed("rev", 1, 10 + slot),
                Teacher = new TeacherSpec { Kind = TeacherKind.Embedded, MaxCompletionTokens = 100_000, RandomSeed = 3, Model = slot == 0 ? "" : "gpt-4.5-preview" },
                Lineage = new SampleLineage(),
            });
        }

        var result = await _work.HandleAsync(chunk, "loop-r1-g0", CancellationToken.None);

        Assert.NotNull(result.Results[0].Sample);
        Assert.Null(result.Results[1].Sample);
        Assert.Equal(DropReason.TeacherError, result.Results[1].Drop.Reason);
        Assert.StartsWith("teacher.model: 'gpt-4.5-preview' is not a model this teacher may use", result.Results[1].Drop.Detail, StringComparison.Ordinal);
        Assert.Equal(0, result.Results[1].Usage.Calls);
    }

    [Fact]
    public async Task Judge_rates_difficulty_and_answers()
    {
        var request = new JudgeRequest { Kind = JudgeKind.Difficulty, RequestId = "j" };
        request.Items.Add(new JudgeItem { Item = Seed("rev", 1, 1) });
        request.Items.Add(new JudgeItem { Item = Seed("rev", 4, 2) });
        var response = await _api.Judge(request, new TestCallContext());
        Assert.Equal([0.0, 1.0], response.Ratings.Select(r => r.Score));
        Assert.All(response.Ratings, r => Assert.True(r.Parsed));

        var answers = new JudgeRequest { Kind = JudgeKind.Answer, RequestId = "k" };
        answers.Items.Add(new JudgeItem { Item = Seed("arith", 2, 3) });
        var missing = await Assert.ThrowsAsync<RpcException>(() => _api.Judge(answers, new TestCallContext()));
        Assert.StartsWith("items[0].student_answer ", missing.Status.Detail, StringComparison.Ordinal);
        answers.Items[0].StudentAnswer = answers.Items[0].Item.Answer;
        var graded = await _api.Judge(answers, new TestCallContext());
        Assert.True(graded.Ratings[0].Correct);
    }
}
