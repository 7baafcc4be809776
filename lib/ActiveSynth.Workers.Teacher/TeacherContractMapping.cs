using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Workers.Teacher;

/// <summary>Between the contract's messages and the teacher library's types.</summary>
public static class TeacherContractMapping
{
    public static TeacherCallSettings ToSettings(this TeacherSpec? spec, string model, string promptVersion) => new(
        model,
        promptVersion,
        Temperature: spec is null || spec.Temperature == 0 ? null : spec.Temperature,
        Seed: spec?.RandomSeed ?? 0,
        MaxCompletionTokens: spec is null || spec.MaxCompletionTokens <= 0 ? null : spec.MaxCompletionTokens,
        // The error rate only means something to the embedded teacher; the fingerprint includes it, so it must not vary for others.
        ErrorRate: spec is null || spec.Kind == TeacherKind.Openai ? null : spec.ErrorRate,
        DisableCache: spec?.DisableCache ?? false);

    public static GenerationKind ToGenerationKind(this TeacherCallKind kind) => kind switch
    {
        TeacherCallKind.Question => GenerationKind.Question,
        TeacherCallKind.Solution => GenerationKind.Solution,
        _ => GenerationKind.QuestionAndSolution,
    };

    public static TeacherUsage ToContract(this CallUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new TeacherUsage
        {
            PromptTokens = usage.PromptTokens,
            CompletionTokens = usage.CompletionTokens,
            Estimated = usage.Estimated,
            CostUsd = usage.CostUsd,
            Cached = usage.Cached,
            Model = usage.Model,
            Calls = usage.Calls,
            Retries = usage.Retries,
            Latency = Duration.FromTimeSpan(usage.Latency),
            BilledTokens = usage.Billed.Tokens,
            BilledCostUsd = usage.Billed.CostUsd,
            BilledCalls = usage.Billed.Calls,
            CacheHits = usage.CacheHits,
        };
    }

    /// <summary>The contract's usage back as the library's; its billing as <see cref="ActiveSynth.Engine.Specs.LoopContractMapping.ToBilling"/> reads it.</summary>
    public static CallUsage ToCallUsage(this TeacherUsage usage, string model)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var billing = usage.ToBilling();
        return new CallUsage(usage.PromptTokens, usage.CompletionTokens, usage.Estimated, usage.Cached, usage.CacheHits, usage.Calls,
            usage.Retries, usage.CostUsd, usage.Latency?.ToTimeSpan() ?? TimeSpan.Zero, usage.Model.Length > 0 ? usage.Model : model)
        {
            Billed = new BilledUsage(billing.TeacherTokens, billing.CostUsd, (int)billing.TeacherCalls),
        };
    }

    public static DropReason ToContract(this SampleDropReason reason) => reason switch
    {
        SampleDropReason.Unparsable => DropReason.Unparsable,
        SampleDropReason.Empty => DropReason.Empty,
        SampleDropReason.NoFinalAnswer => DropReason.NoFinalAnswer,
        SampleDropReason.DuplicateOfSeed => DropReason.DuplicateOfSeed,
        SampleDropReason.DuplicateOfSample => DropReason.DuplicateOfSample,
        SampleDropReason.TooLong => DropReason.TooLong,
        SampleDropReason.TeacherError => DropReason.TeacherError,
        SampleDropReason.BudgetExhausted => DropReason.BudgetExhausted,
        SampleDropReason.Cancelled => DropReason.Cancelled,
        SampleDropReason.WrongFamily => DropReason.WrongFamily,
        SampleDropReason.VerifierRejected => DropReason.VerifierRejected,
        _ => DropReason.Unspecified,
    };
}
