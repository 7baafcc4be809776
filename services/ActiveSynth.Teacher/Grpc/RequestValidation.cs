using ActiveSynth.Contracts.V1;
using ActiveSynth.Teachers.Prompts;
using Grpc.Core;

namespace ActiveSynth.Teacher.Grpc;

/// <summary>Input checks of the gRPC calls: the first bad field answers InvalidArgument naming it (and nothing else).</summary>
internal static class RequestValidation
{
    public static void Teacher(TeacherSpec? spec)
    {
        if (spec is null)
        {
            return;
        }
        Check(spec.ErrorRate is >= 0 and <= 1, "teacher.error_rate", "must be in [0, 1]");
        Check(spec.Temperature is >= 0 and <= 2, "teacher.temperature", "must be in [0, 2]");
        Check(spec.MaxCompletionTokens >= 0, "teacher.max_completion_tokens", "must not be negative");
        Check(Enum.IsDefined(spec.Kind), "teacher.kind", "is not a known teacher kind");
        Check(string.IsNullOrEmpty(spec.PromptVersion) || PromptLibrary.Versions.Contains(spec.PromptVersion, StringComparer.Ordinal),
            "teacher.prompt_version", $"is not one of {string.Join(", ", PromptLibrary.Versions)}");
    }

    public static void Seed(SeedItem? seed, string field)
    {
        Check(seed is not null, field, "is required");
        Check(!string.IsNullOrWhiteSpace(seed!.Id) && !seed.Id.Contains('/', StringComparison.Ordinal), field + ".id", "must be non-empty and contain no '/'");
        Check(!string.IsNullOrWhiteSpace(seed.Family), field + ".family", "is required");
        Check(!string.IsNullOrWhiteSpace(seed.Question), field + ".question", "is required");
        Check(seed.Difficulty >= 0, field + ".difficulty", "must not be negative");
    }

    public static void Budget(Budget? budget)
    {
        if (budget is null)
        {
            return;
        }
        Check(budget.MaxSamples >= 0, "budget.max_samples", "must not be negative");
        Check(budget.MaxTeacherCalls >= 0, "budget.max_teacher_calls", "must not be negative");
        Check(budget.MaxTeacherTokens >= 0, "budget.max_teacher_tokens", "must not be negative");
        Check(budget.MaxCostUsd >= 0 && double.IsFinite(budget.MaxCostUsd), "budget.max_cost_usd", "must be a non-negative number");
    }

    public static void Check(bool condition, string field, string problem)
    {
        if (!condition)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} {problem}"));
        }
    }
}
