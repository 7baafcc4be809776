using System.Diagnostics;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.Usage;

namespace ActiveSynth.Teachers;

/// <summary>
/// One span per teacher call, on the ActivitySource "ActiveSynth.Teacher" (the Teacher service's source, which
/// ServiceDefaults exports with every ActiveSynth.* source), tagged with model, prompt version, tokens and cache hits.
/// </summary>
public static class TeacherTelemetry
{
    public const string SourceName = "ActiveSynth.Teacher";

    public static ActivitySource Source { get; } = new(SourceName);

    internal static Activity? StartCall(string callId, TeacherCallSettings settings)
    {
        var activity = Source.StartActivity("teacher.call", ActivityKind.Client);
        activity?.SetTag("activesynth.teacher.call_id", callId);
        activity?.SetTag("gen_ai.request.model", settings.Model);
        activity?.SetTag("activesynth.teacher.prompt_version", settings.PromptVersion);
        return activity;
    }

    internal static void Record(Activity? activity, CallUsage usage)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("gen_ai.response.model", usage.Model);
        activity.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
        activity.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
        activity.SetTag("activesynth.teacher.cached", usage.Cached);
        activity.SetTag("activesynth.teacher.billed_tokens", usage.Billed.Tokens);
        activity.SetTag("activesynth.teacher.retries", usage.Retries);
        activity.SetTag("activesynth.teacher.usage_estimated", usage.Estimated);
    }
}
