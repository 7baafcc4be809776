using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>How to load and prompt a Hugging Face student.</summary>
public sealed record HfStudentOptions
{
    /// <summary>Weights' dtype on the device; null = the config's <c>torch_dtype</c>.</summary>
    public ScalarType? Dtype { get; init; }

    /// <summary><c>chatml</c> or <c>llama3</c>; null = chosen from the tokenizer's special tokens and the model type.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>A system message before every question; null = none (the models' templates' default system prompts are not added).</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>Longest prompt + answer in tokens (also capped by <c>max_position_embeddings</c>). Prompts keep their last tokens.</summary>
    public int MaxContext { get; init; } = 1024;

    /// <summary>
    /// Rounds train every weight (<c>finetune=full</c>) instead of a LoRA adapter: each round's checkpoint then holds the
    /// whole <c>model.safetensors</c>. For a small base LoRA cannot move; a real model's full copy per round costs its size.
    /// </summary>
    public bool FullFinetune { get; init; }
}
