using System.Globalization;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// The <c>StudentSpec.options</c> keys a Hugging Face student reads (all optional): <c>dtype</c> (float32, bfloat16,
/// float16; default: config.json's torch_dtype), <c>chat_template</c> (chatml, llama3), <c>system_prompt</c>,
/// <c>max_context</c> (tokens), <c>lora_rank</c> (8), <c>lora_alpha</c> (16), <c>lora_dropout</c> (0.05) and
/// <c>lora_target_modules</c> (comma-separated; default q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj).
/// An unknown key or a bad value raises <see cref="HfOptionException"/> naming the key.
/// </summary>
public static class HfStudentSpecOptions
{
    public static IReadOnlyList<string> Keys { get; } =
        ["dtype", "chat_template", "system_prompt", "max_context", "lora_rank", "lora_alpha", "lora_dropout", "lora_target_modules"];

    public static (HfStudentOptions Student, LoraSettings Lora) Parse(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.Keys.FirstOrDefault(k => !Keys.Contains(k));
        if (unknown is not null)
        {
            throw new HfOptionException(unknown, $"is not an option of a Hugging Face student; known: {string.Join(", ", Keys)}");
        }
        var student = new HfStudentOptions();
        var lora = new LoraSettings();
        if (options.TryGetValue("dtype", out var dtype))
        {
            student = student with
            {
                Dtype = dtype switch
                {
                    "float32" => ScalarType.Float32,
                    "bfloat16" => ScalarType.BFloat16,
                    "float16" => ScalarType.Float16,
                    _ => throw new HfOptionException("dtype", $"is '{dtype}'; use float32, bfloat16 or float16"),
                },
            };
        }
        if (options.TryGetValue("chat_template", out var template))
        {
            if (template is not ("chatml" or "llama3"))
            {
                throw new HfOptionException("chat_template", $"is '{template}'; use chatml or llama3");
            }
            student = student with { ChatTemplate = template };
        }
        if (options.TryGetValue("system_prompt", out var system))
        {
            student = student with { SystemPrompt = system };
        }
        if (options.ContainsKey("max_context"))
        {
            student = student with { MaxContext = PositiveInt(options, "max_context") };
        }
        if (options.ContainsKey("lora_rank"))
        {
            lora = lora with { Rank = PositiveInt(options, "lora_rank") };
        }
        if (options.ContainsKey("lora_alpha"))
        {
            lora = lora with { Alpha = Number(options, "lora_alpha", 0, double.MaxValue, "> 0") };
        }
        if (options.ContainsKey("lora_dropout"))
        {
            lora = lora with { Dropout = Number(options, "lora_dropout", -double.Epsilon, 1, "in [0, 1)") };
        }
        if (options.TryGetValue("lora_target_modules", out var targets))
        {
            var list = targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var bad = list.FirstOrDefault(t => !LoraSettings.AllProjections.Contains(t));
            if (list.Length == 0 || bad is not null)
            {
                throw new HfOptionException("lora_target_modules", $"'{targets}' must list projections among {string.Join(",", LoraSettings.AllProjections)}");
            }
            lora = lora with { TargetModules = list };
        }
        return (student, lora);
    }

    private static int PositiveInt(IReadOnlyDictionary<string, string> options, string key) =>
        int.TryParse(options[key], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new HfOptionException(key, $"is '{options[key]}'; expected a positive integer");

    private static double Number(IReadOnlyDictionary<string, string> options, string key, double above, double below, string range) =>
        double.TryParse(options[key], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > above && value < below
            ? value
            : throw new HfOptionException(key, $"is '{options[key]}'; expected a number {range}");
}

/// <summary>A bad <c>StudentSpec.options</c> entry of a Hugging Face student; <see cref="Key"/> names it.</summary>
public sealed class HfOptionException(string key, string reason) : ArgumentException($"options[{key}] {reason}")
{
    public string Key { get; } = key;

    public string Reason { get; } = reason;
}
