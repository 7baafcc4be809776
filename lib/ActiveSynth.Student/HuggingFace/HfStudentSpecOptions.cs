using ActiveSynth.Core.Students;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// A Hugging Face student's <c>StudentSpec.options</c> (checked by <see cref="HfStudentOptionValues"/>, which names a bad
/// key in <see cref="HfOptionException"/>) as load options and LoRA settings; unset keys keep their defaults (dtype:
/// config.json's torch_dtype; LoRA: r 8, alpha 16, dropout 0.05, every projection).
/// </summary>
public static class HfStudentSpecOptions
{
    public static (HfStudentOptions Student, LoraSettings Lora) Parse(IReadOnlyDictionary<string, string> options)
    {
        var values = HfStudentOptionValues.Parse(options);
        var student = new HfStudentOptions
        {
            Dtype = values.Dtype switch
            {
                "float32" => ScalarType.Float32,
                "bfloat16" => ScalarType.BFloat16,
                "float16" => ScalarType.Float16,
                _ => null,
            },
            ChatTemplate = values.ChatTemplate,
            SystemPrompt = values.SystemPrompt,
            FullFinetune = values.FullFinetune,
        };
        if (values.MaxContext is { } context)
        {
            student = student with { MaxContext = context };
        }
        var lora = new LoraSettings();
        lora = lora with
        {
            Rank = values.LoraRank ?? lora.Rank,
            Alpha = values.LoraAlpha ?? lora.Alpha,
            Dropout = values.LoraDropout ?? lora.Dropout,
            TargetModules = values.LoraTargetModules ?? lora.TargetModules,
        };
        return (student, lora);
    }
}
