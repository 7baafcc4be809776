using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Tests.Support;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// A cost limit binds or is refused: StartRun (over a socket) refuses <c>budget.max_cost_usd</c> for the embedded teacher (free)
/// and for a model without a configured price (every call costs $0), naming the model and the setting that prices it, and
/// accepts it for a priced model. The prices are what the Teacher replicas publish (<see cref="SharedKeys.TeacherPricing"/>).
/// </summary>
public sealed class CostLimitTests(SelectionApiFixture api) : IClassFixture<SelectionApiFixture>
{
    [Fact]
    public async Task A_cost_only_limit_on_an_unpriced_model_is_refused_naming_the_model_and_its_setting()
    {
        await PublishAsync(defaultKind: "openai", defaultModel: "gpt-unpriced", "gpt-priced");
        var runId = $"refused-{Guid.NewGuid():N}"[..16];

        var e = await RefusedAsync(CostOnly(TeacherKind.Openai, model: ""), runId);

        Assert.Contains("spec.budget.max_cost_usd", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("teacher model 'gpt-unpriced' has no price", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Teacher:Prices:gpt-unpriced:PromptPer1K", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("max_teacher_tokens", e.Status.Detail, StringComparison.Ordinal);
        var lookup = await Assert.ThrowsAsync<RpcException>(async () => await api.Runs.GetRunAsync(new GetRunRequest { RunId = runId }));
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode); // nothing was created

        var named = await RefusedAsync(CostOnly(TeacherKind.Openai, model: "another-model"));
        Assert.Contains("teacher model 'another-model' has no price", named.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cost_limit_with_the_embedded_teacher_is_refused_because_it_is_free()
    {
        await PublishAsync(defaultKind: "embedded", defaultModel: "", "*");

        var explicitKind = await RefusedAsync(CostOnly(TeacherKind.Embedded, model: ""));
        var byDefault = await RefusedAsync(CostOnly(TeacherKind.Unspecified, model: ""));

        Assert.All([explicitKind, byDefault], e => Assert.Contains("the embedded teacher is free", e.Status.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_published_prices_a_cost_limit_is_refused_saying_why()
    {
        await api.Redis.KeyDeleteAsync(SharedKeys.TeacherPricing);

        var e = await RefusedAsync(CostOnly(TeacherKind.Openai, model: "gpt-priced"));

        Assert.Contains("no Teacher replica has published its prices", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cost_limit_on_a_priced_model_is_accepted_and_one_beside_a_token_limit_still_needs_a_price()
    {
        await PublishAsync(defaultKind: "openai", defaultModel: "gpt-unpriced", "gpt-priced");
        var runId = $"cost-{Guid.NewGuid():N}"[..16];

        var run = await api.Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = CostOnly(TeacherKind.Openai, model: "gpt-priced") });
        await api.Runs.CancelRunAsync(new CancelRunRequest { RunId = runId, Reason = "test" });

        Assert.Equal(runId, run.Id);
        // A cost limit that cannot bind is refused even when another limit would end the run: it would mislead every report.
        var spec = CostOnly(TeacherKind.Openai, model: "");
        spec.Budget.MaxTeacherTokens = 10_000;
        await RefusedAsync(spec);
    }

    private async Task<RpcException> RefusedAsync(RunSpec spec, string runId = "")
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await api.Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        // Over the wire, through the service's interceptor: the rich status names each field a client can act on.
        var violations = e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations;
        Assert.NotNull(violations);
        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.Contains($"{v.Field}: ", e.Status.Detail, StringComparison.Ordinal));
        return e;
    }

    private static RunSpec CostOnly(TeacherKind kind, string model)
    {
        var spec = Specs.Small();
        spec.MaxRounds = 0;
        spec.Teacher = new TeacherSpec { Kind = kind, Model = model };
        spec.Budget = new Budget { MaxCostUsd = 0.01 };
        return spec;
    }

    private Task PublishAsync(string defaultKind, string defaultModel, params string[] priced)
    {
        var pricing = new TeacherPricing { DefaultKind = defaultKind, DefaultModel = defaultModel, Instance = "test" };
        pricing.PricedModels.AddRange(priced);
        return api.Redis.StringSetAsync(SharedKeys.TeacherPricing, pricing.ToByteArray());
    }
}
