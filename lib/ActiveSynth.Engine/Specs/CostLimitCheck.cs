using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>
/// A cost limit binds only when the run's teacher calls cost something: the embedded teacher is free, and a model without a
/// configured price costs $0 a call. Such a limit would let a run go on until some other limit (or nothing) stopped it, so
/// StartRun refuses it, saying which model lacks a price and which setting gives it one.
/// </summary>
public static class CostLimitCheck
{
    private const string Field = "spec.budget.max_cost_usd";

    /// <summary>The problem with the spec's cost limit under <paramref name="pricing"/> (null when none was published); null when it binds.</summary>
    public static SpecError? Check(RunSpec spec, TeacherPricing? pricing)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Budget is not { MaxCostUsd: > 0 })
        {
            return null;
        }
        var kind = spec.Teacher?.Kind ?? TeacherKind.Unspecified;
        if (kind == TeacherKind.Unspecified && pricing is not null)
        {
            kind = pricing.DefaultKind == "openai" ? TeacherKind.Openai : TeacherKind.Embedded;
        }
        if (kind == TeacherKind.Embedded)
        {
            return new(Field, "the embedded teacher is free ($0 a call), so a cost limit can never bind; " +
                "limit budget.max_teacher_tokens (or max_samples, max_teacher_calls) instead");
        }
        if (pricing is null)
        {
            return new(Field, "no Teacher replica has published its prices yet (start the Teacher service first), so a cost limit " +
                "cannot be checked; limit budget.max_teacher_tokens instead");
        }
        var model = spec.Teacher is { Model.Length: > 0 } teacher ? teacher.Model : pricing.DefaultModel;
        if (model.Length == 0)
        {
            return new(Field, "the run names no teacher model (teacher.model) and the Teacher has no default one (the Model= of " +
                "ConnectionStrings:teacher), so no price applies and a cost limit would never bind");
        }
        return pricing.PricedModels.Contains(model) || pricing.PricedModels.Contains("*")
            ? null
            : new(Field, $"teacher model '{model}' has no price, so its calls cost $0 and a cost limit would never bind; set " +
                $"Teacher:Prices:{model}:PromptPer1K and Teacher:Prices:{model}:CompletionPer1K (USD per 1,000 tokens; model '*' prices " +
                "every model), or limit budget.max_teacher_tokens instead");
    }

    /// <summary>Throws <see cref="SpecValidationException"/> when <see cref="Check"/> finds a problem.</summary>
    public static void ThrowIfUnbound(RunSpec spec, TeacherPricing? pricing)
    {
        if (Check(spec, pricing) is { } error)
        {
            throw new SpecValidationException([error]);
        }
    }
}
