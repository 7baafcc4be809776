using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Workers.Teacher;
using ActiveSynth.Teachers.Usage;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ActiveSynth.Hosting.Security;

namespace ActiveSynth.Teacher.Grpc;

/// <summary>
/// Teacher.Generate and Teacher.Judge for ad-hoc use. Generate requires a budget for the call (a spending limit) and honours it: each
/// sample reserves an upper bound of its spending before its calls and settles the actual usage after, so
/// concurrent generations within the call never pass the cap.
/// </summary>
[AllowRoles(DeploymentRoles.Operator, DeploymentRoles.Service)]
public sealed class TeacherApi(TeacherWork work, JudgeWork judge, TeacherClients clients, IOptions<TeacherServiceOptions> options, PriceTable prices)
    : Contracts.V1.Teacher.TeacherBase
{
    // Upper bound of one generation's tokens besides its completions: the two prompts (templates + seed + question).
    private const int PromptTokenAllowance = 2_048;
    private const int DefaultCompletionCap = 1_024;

    public override async Task<GenerateBatchResponse> Generate(GenerateBatchRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var limits = options.Value;
        RequestValidation.Check(request.Seeds.Count > 0, "seeds", "must not be empty");
        RequestValidation.Check(request.Seeds.Count <= limits.MaxSeedsPerCall, "seeds", $"must hold at most {limits.MaxSeedsPerCall} items");
        for (var i = 0; i < request.Seeds.Count; i++)
        {
            RequestValidation.Seed(request.Seeds[i], $"seeds[{i}]");
        }
        RequestValidation.Check(request.SamplesPerSeed is >= 0 && request.SamplesPerSeed <= limits.MaxSamplesPerSeed, "samples_per_seed", $"must be in [0, {limits.MaxSamplesPerSeed}]");
        RequestValidation.Check(!request.RunId.Contains('/', StringComparison.Ordinal), "run_id", "must not contain '/'");
        RequestValidation.Teacher(request.Teacher);
        RequestValidation.Budget(request.Budget);
        // Whoever reaches this port spends the deployment's teacher key: a call names what it may spend, and on which model.
        RequestValidation.Check(request.Budget is { } b && (b.MaxSamples > 0 || b.MaxTeacherCalls > 0 || b.MaxTeacherTokens > 0 || b.MaxCostUsd > 0),
            "budget", "is required: set max_teacher_tokens (the call's token cap), max_samples, max_teacher_calls or max_cost_usd (a run's budget)");
        RequestValidation.Check(request.Teacher is not { } t || t.MaxCompletionTokens <= limits.MaxCompletionTokens,
            "teacher.max_completion_tokens", $"must be at most {limits.MaxCompletionTokens} (Teacher:MaxCompletionTokens)");
        RequestValidation.Check(clients.ModelProblem(request.Teacher) is null, "teacher.model", clients.ModelProblem(request.Teacher) ?? "");
        var (client, model) = clients.Resolve(request.Teacher);
        if (client is null)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "teacher.kind asks for an OpenAI-compatible endpoint, but none is configured"));
        }

        var teacher = request.Teacher?.Clone() ?? new TeacherSpec();
        var completionCap = teacher.MaxCompletionTokens > 0 ? teacher.MaxCompletionTokens : Math.Min(DefaultCompletionCap, limits.MaxCompletionTokens);
        teacher.MaxCompletionTokens = completionCap; // the reservation below is an upper bound only if completions are capped
        var ledger = new InMemoryBudgetLedger();
        const string account = "call";
        await ledger.OpenAsync(account, ToLimits(request.Budget), context.CancellationToken);
        var perSample = 2 * (PromptTokenAllowance + completionCap);
        var reservation = new BudgetAmount(1, 2, perSample, prices.Cost(model, 2 * PromptTokenAllowance, 2 * completionCap));

        var perSeed = Math.Max(1, request.SamplesPerSeed);
        var runId = request.RunId.Length > 0 ? request.RunId : "adhoc";
        var jobs = request.Seeds.SelectMany((seed, s) => Enumerable.Range(0, perSeed).Select(k => (Seed: seed, Slot: (s * perSeed) + k))).ToList();
        var results = new GenerateResult[jobs.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs.Count),
            new ParallelOptions { MaxDegreeOfParallelism = limits.CallParallelism, CancellationToken = context.CancellationToken },
            async (index, ct) =>
            {
                var (seed, slot) = jobs[index];
                var requestId = $"{runId}-r{request.Round}-{seed.Id}-{slot}";
                var generate = new GenerateRequest
                {
                    RunId = request.RunId,
                    Round = request.Round,
                    Seed = seed,
                    Attempt = 1,
                    Slot = slot,
                    Teacher = teacher,
                    SampleId = requestId,
                };
                var reserved = await ledger.TryReserveAsync(account, requestId, reservation, ct);
                if (!reserved.Succeeded)
                {
                    results[index] = BudgetExhausted(generate, requestId, model, reserved.BlockedBy!);
                    return;
                }
                var result = await work.GenerateAsync(generate, requestId, ct);
                await ledger.SettleAsync(account, requestId, new BudgetAmount(result.Sample is null ? 0 : 1, result.Usage.Calls,
                    result.Usage.PromptTokens + result.Usage.CompletionTokens, result.Usage.CostUsd), ct);
                results[index] = result;
            });

        var response = new GenerateBatchResponse();
        var total = CallUsage.None(model);
        foreach (var result in results)
        {
            if (result.Sample is not null)
            {
                response.Samples.Add(result.Sample);
            }
            else
            {
                response.Drops.Add(result.Drop);
            }
            total = total.Plus(result.Usage.ToCallUsage(model));
        }
        response.Usage = total.ToContract();
        return response;
    }

    public override async Task<JudgeResponse> Judge(JudgeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequestValidation.Check(request.Items.Count > 0, "items", "must not be empty");
        RequestValidation.Check(request.Items.Count <= options.Value.MaxJudgeItems, "items", $"must hold at most {options.Value.MaxJudgeItems} items");
        RequestValidation.Check(Enum.IsDefined(request.Kind), "kind", "is not a known judge kind");
        for (var i = 0; i < request.Items.Count; i++)
        {
            RequestValidation.Seed(request.Items[i].Item, $"items[{i}].item");
            RequestValidation.Check(request.Kind != JudgeKind.Answer || !string.IsNullOrWhiteSpace(request.Items[i].StudentAnswer),
                $"items[{i}].student_answer", "is required for JUDGE_KIND_ANSWER");
        }
        RequestValidation.Teacher(request.Teacher);
        RequestValidation.Check(request.Teacher is not { } t || t.MaxCompletionTokens <= options.Value.MaxCompletionTokens,
            "teacher.max_completion_tokens", $"must be at most {options.Value.MaxCompletionTokens} (Teacher:MaxCompletionTokens)");
        RequestValidation.Check(clients.ModelProblem(request.Teacher) is null, "teacher.model", clients.ModelProblem(request.Teacher) ?? "");
        if (clients.Resolve(request.Teacher).Client is null)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "teacher.kind asks for an OpenAI-compatible endpoint, but none is configured"));
        }
        return await judge.JudgeAsync(request, context.CancellationToken);
    }

    private static BudgetLimits ToLimits(Budget? budget) => budget is null
        ? BudgetLimits.Unlimited
        : new BudgetLimits(budget.MaxSamples, budget.MaxTeacherCalls, budget.MaxTeacherTokens, budget.MaxCostUsd);

    private static GenerateResult BudgetExhausted(GenerateRequest request, string requestId, string model, string blockedBy) => new()
    {
        RunId = request.RunId,
        Round = request.Round,
        RequestId = requestId,
        SeedId = request.Seed.Id,
        Slot = request.Slot,
        Attempt = request.Attempt,
        Drop = new Drop
        {
            Reason = DropReason.BudgetExhausted,
            Detail = $"budget {blockedBy} reached; nothing was spent",
            SeedId = request.Seed.Id,
            Round = request.Round,
            RunId = request.RunId,
            Slot = request.Slot,
            Attempt = request.Attempt,
            SampleId = requestId,
            Usage = CallUsage.None(model).ToContract(),
        },
        Usage = CallUsage.None(model).ToContract(),
    };

}
