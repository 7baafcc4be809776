using System.Globalization;

namespace ActiveSynth.Core.Students;

/// <summary>
/// The <c>StudentSpec.options</c> of a Hugging Face student as checked values, without loading a model or torch: the
/// Selection service checks them at StartRun, the Student library builds its load and LoRA settings from them. Keys
/// (all optional): <c>dtype</c> (float32, bfloat16, float16), <c>chat_template</c> (chatml, llama3),
/// <c>system_prompt</c>, <c>max_context</c>, <c>lora_rank</c>, <c>lora_alpha</c>, <c>lora_dropout</c>,
/// <c>lora_target_modules</c> (comma-separated projections), <c>finetune</c> (lora, the default, or full: every weight
/// trained, for a base LoRA cannot move). An unknown key or a bad value raises
/// <see cref="HfOptionException"/> naming the key.
/// </summary>
public sealed record HfStudentOptionValues
{
    public static IReadOnlyList<string> Keys { get; } =
        ["dtype", "chat_template", "system_prompt", "max_context", "lora_rank", "lora_alpha", "lora_dropout", "lora_target_modules", "finetune"];

    /// <summary>The projections of a Llama/Qwen2 block a LoRA adapter can target (PEFT's names).</summary>
    public static IReadOnlyList<string> Projections { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    public string? Dtype { get; init; }

    public string? ChatTemplate { get; init; }

    public string? SystemPrompt { get; init; }

    public int? MaxContext { get; init; }

    public int? LoraRank { get; init; }

    public double? LoraAlpha { get; init; }

    public double? LoraDropout { get; init; }

    public IReadOnlyList<string>? LoraTargetModules { get; init; }

    /// <summary>True for <c>finetune=full</c>: rounds train every weight instead of a LoRA adapter.</summary>
    public bool FullFinetune { get; init; }

    public static HfStudentOptionValues Parse(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.Keys.FirstOrDefault(k => !Keys.Contains(k));
        if (unknown is not null)
        {
            throw new HfOptionException(unknown, $"is not an option of a Hugging Face student; known: {string.Join(", ", Keys)}");
        }
        var dtype = options.GetValueOrDefault("dtype");
        if (dtype is not (null or "float32" or "bfloat16" or "float16"))
        {
            throw new HfOptionException("dtype", $"is '{dtype}'; use float32, bfloat16 or float16");
        }
        var template = options.GetValueOrDefault("chat_template");
        if (template is not (null or "chatml" or "llama3"))
        {
            throw new HfOptionException("chat_template", $"is '{template}'; use chatml or llama3");
        }
        var finetune = options.GetValueOrDefault("finetune");
        if (finetune is not (null or "lora" or "full"))
        {
            throw new HfOptionException("finetune", $"is '{finetune}'; use lora or full");
        }
        return new HfStudentOptionValues
        {
            FullFinetune = finetune == "full",
            Dtype = dtype,
            ChatTemplate = template,
            SystemPrompt = options.GetValueOrDefault("system_prompt"),
            MaxContext = PositiveInt(options, "max_context"),
            LoraRank = PositiveInt(options, "lora_rank"),
            LoraAlpha = Number(options, "lora_alpha", 0, double.MaxValue, "> 0"),
            LoraDropout = Number(options, "lora_dropout", -double.Epsilon, 1, "in [0, 1)"),
            LoraTargetModules = Targets(options),
        };
    }

    private static int? PositiveInt(IReadOnlyDictionary<string, string> options, string key) =>
        !options.TryGetValue(key, out var text) ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new HfOptionException(key, $"is '{text}'; expected a positive integer");

    private static double? Number(IReadOnlyDictionary<string, string> options, string key, double above, double below, string range) =>
        !options.TryGetValue(key, out var text) ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > above && value < below ? value
        : throw new HfOptionException(key, $"is '{text}'; expected a number {range}");

    private static string[]? Targets(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue("lora_target_modules", out var text))
        {
            return null;
        }
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length == 0 || list.Any(t => !Projections.Contains(t)))
        {
            throw new HfOptionException("lora_target_modules", $"'{text}' must list projections among {string.Join(",", Projections)}");
        }
        return list;
    }
}

/// <summary>A bad <c>StudentSpec.options</c> entry of a Hugging Face student; <see cref="Key"/> names it.</summary>
public sealed class HfOptionException(string key, string reason) : ArgumentException($"options[{key}] {reason}")
{
    public string Key { get; } = key;

    public string Reason { get; } = reason;
}
