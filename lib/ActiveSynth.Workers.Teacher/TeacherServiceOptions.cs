using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using System.ComponentModel.DataAnnotations;
using ActiveSynth.Teachers.Usage;

namespace ActiveSynth.Workers.Teacher;

/// <summary>The Teacher service's settings (section <c>Teacher</c>); nested sections have their own options classes, each validated at start.</summary>
public sealed class TeacherServiceOptions
{
    public const string SectionName = "Teacher";

    /// <summary>Teacher used when a request's <c>TeacherSpec.kind</c> is unspecified: <c>embedded</c> or <c>openai</c>.</summary>
    [Required]
    [RegularExpression("^(embedded|openai)$", ErrorMessage = "Teacher:DefaultKind must be 'embedded' or 'openai'.")]
    public string DefaultKind { get; set; } = "embedded";

    /// <summary>Name of the connection string of the OpenAI-compatible endpoint (<c>ConnectionStrings:&lt;name&gt;</c> = <c>Endpoint=…;Key=…;Model=…</c>).</summary>
    [Required]
    public string ConnectionName { get; set; } = "teacher";

    /// <summary>The SDK's network timeout per request; above <c>Teacher:Retry:AttemptTimeout</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most seeds in one Teacher.Generate call.</summary>
    [Range(1, 10_000)]
    public int MaxSeedsPerCall { get; set; } = 256;

    /// <summary>Most samples per seed in one Teacher.Generate call.</summary>
    [Range(1, 64)]
    public int MaxSamplesPerSeed { get; set; } = 16;

    /// <summary>Most items in one Teacher.Judge call.</summary>
    [Range(1, 10_000)]
    public int MaxJudgeItems { get; set; } = 256;

    /// <summary>Generations run at once within one gRPC call.</summary>
    [Range(1, 256)]
    public int CallParallelism { get; set; } = 8;

    /// <summary>
    /// Model names a request (a run's <c>teacher.model</c>, a Generate or Judge call) may name besides the endpoint's own (the
    /// connection string's <c>Model</c>) and the embedded teacher's (<c>Teacher:Embedded:ModelId</c>); any other is refused, so
    /// whoever reaches the service cannot spend the key on a model the deployment did not choose. Empty by default.
    /// </summary>
    public List<string> AllowedModels { get; set; } = [];

    /// <summary>
    /// Largest <c>teacher.max_completion_tokens</c> of one teacher call: Teacher.Generate refuses more, and a run's requests asking
    /// more are capped to it (the run reserved its budget for the larger value, so a cap never overspends it).
    /// </summary>
    [Range(1, RunSpecLimits.MaxTeacherCompletionTokens)]
    public int MaxCompletionTokens { get; set; } = 4_096;

    /// <summary>Prices per model (<c>Teacher:Prices:&lt;model&gt;:PromptPer1K</c>, <c>…:CompletionPer1K</c>; model <c>*</c> = any other).</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.Ordinal);
}
