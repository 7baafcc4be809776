namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// The two chat formats of the supported models, written as code (no Jinja engine): ChatML for Qwen2
/// (<c>&lt;|im_start|&gt;user\n…&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n</c>) and the Llama 3 header format
/// (<c>&lt;|begin_of_text|&gt;&lt;|start_header_id|&gt;user&lt;|end_header_id|&gt;\n\n…&lt;|eot_id|&gt;</c>). A prompt is one
/// optional system message and one user turn, ending where the assistant's answer begins; an answer ends with the
/// template's end-of-turn token. Neither adds the default system prompts of the models' own templates.
/// </summary>
public sealed class ChatTemplate
{
    private ChatTemplate(string name, string endOfTurn, Func<string?, string, string> prompt)
    {
        Name = name;
        EndOfTurn = endOfTurn;
        _prompt = prompt;
    }

    private readonly Func<string?, string, string> _prompt;

    public string Name { get; }

    /// <summary>The token that ends an assistant turn (a training target's terminator, and a stop token).</summary>
    public string EndOfTurn { get; }

    public static ChatTemplate ChatMl { get; } = new("chatml", "<|im_end|>", (system, user) =>
        (system is null ? "" : $"<|im_start|>system\n{system}<|im_end|>\n") + $"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n");

    public static ChatTemplate Llama3 { get; } = new("llama3", "<|eot_id|>", (system, user) =>
        "<|begin_of_text|>" + (system is null ? "" : $"<|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>")
        + $"<|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");

    /// <summary>The prompt text for one user message, ending where the assistant's answer starts.</summary>
    public string Prompt(string user, string? system = null) => _prompt(system, user);

    /// <summary>
    /// The template the checkpoint's tokenizer speaks: Llama 3 when it has <c>&lt;|start_header_id|&gt;</c> and
    /// <c>&lt;|eot_id|&gt;</c>, ChatML when it has <c>&lt;|im_start|&gt;</c> and <c>&lt;|im_end|&gt;</c>, else by model type.
    /// </summary>
    public static ChatTemplate For(HfModelConfig config, HfTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var hasLlama3 = tokenizer.TokenId("<|start_header_id|>") is not null && tokenizer.TokenId("<|eot_id|>") is not null;
        var hasChatMl = tokenizer.TokenId("<|im_start|>") is not null && tokenizer.TokenId("<|im_end|>") is not null;
        return (hasLlama3, hasChatMl) switch
        {
            (true, false) => Llama3,
            (false, true) => ChatMl,
            _ => config.Architecture == HfArchitecture.Llama ? Llama3 : ChatMl,
        };
    }

    /// <summary>By name (<c>chatml</c>, <c>llama3</c>), for the option that overrides the choice.</summary>
    public static ChatTemplate Named(string name) => name.ToLowerInvariant() switch
    {
        "chatml" => ChatMl,
        "llama3" => Llama3,
        _ => throw new ArgumentException($"Chat template '{name}' is not known; supported: chatml, llama3.", nameof(name)),
    };
}
