using System.Text.Json.Nodes;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// The tokenizer of a base made here: byte-level BPE with no merges (ids 0–255 are the bytes, written in GPT-2's
/// byte → character table as every byte-level <c>tokenizer.json</c> is), then the architecture's special tokens as
/// added tokens: Qwen2's <c>&lt;|endoftext|&gt;</c>, <c>&lt;|im_start|&gt;</c>, <c>&lt;|im_end|&gt;</c>; Llama 3's
/// <c>&lt;|begin_of_text|&gt;</c>, <c>&lt;|end_of_text|&gt;</c>, <c>&lt;|start_header_id|&gt;</c>, <c>&lt;|end_header_id|&gt;</c>,
/// <c>&lt;|eot_id|&gt;</c>. One token per character keeps the model small and the families' letters separable.
/// Writes <c>tokenizer.json</c>, <c>tokenizer_config.json</c> (with a Jinja chat template that renders exactly what
/// <see cref="ChatTemplate"/> writes) and the ids <c>config.json</c> and <c>generation_config.json</c> need.
/// </summary>
public sealed class ByteLevelVocabulary
{
    // Qwen2's pre-tokenizer split (its tokenizer.json); with no merges it changes no id, but a loader sees Qwen2's layout.
    private const string QwenSplit = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    // Llama 3's split (its tokenizer.json).
    private const string LlamaSplit = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    // The chat templates as Jinja (tokenizer_config.json's chat_template): one optional system turn and user turns, as ChatTemplate writes them.
    private const string ChatMlJinja =
        "{%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}" +
        "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}";

    private const string Llama3Jinja =
        "{{- bos_token }}{%- for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] + '<|eot_id|>' }}{%- endfor %}" +
        "{%- if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}";

    private ByteLevelVocabulary(HfArchitecture architecture, string[] specials)
    {
        Architecture = architecture;
        Specials = specials;
    }

    public HfArchitecture Architecture { get; }

    /// <summary>The added tokens, ids 256 on.</summary>
    public IReadOnlyList<string> Specials { get; }

    /// <summary>Vocabulary size: 256 bytes + the special tokens.</summary>
    public int Count => 256 + Specials.Count;

    public int? BosId => Architecture == HfArchitecture.Qwen2 ? Id("<|endoftext|>") : Id("<|begin_of_text|>");

    /// <summary>config.json's <c>eos_token_id</c>: the instruct models' end of turn first, then the end of text.</summary>
    public IReadOnlyList<int> EosIds => Architecture == HfArchitecture.Qwen2
        ? [Id("<|im_end|>"), Id("<|endoftext|>")]
        : [Id("<|eot_id|>"), Id("<|end_of_text|>")];

    public static ByteLevelVocabulary For(HfArchitecture architecture) => architecture == HfArchitecture.Qwen2
        ? new(architecture, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
        : new(architecture, ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]);

    public int Id(string special)
    {
        var index = Specials.ToList().IndexOf(special);
        return index >= 0 ? 256 + index : throw new ArgumentException($"'{special}' is not a special token of this {Architecture} vocabulary.", nameof(special));
    }

    /// <summary>GPT-2's byte → printable character table (bytes_to_unicode), in which byte-level vocabularies are written.</summary>
    public static char[] ByteToChar()
    {
        static bool Printable(int b) => b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
        var table = new char[256];
        var next = 0;
        for (var b = 0; b < 256; b++)
        {
            table[b] = Printable(b) ? (char)b : (char)(256 + next++);
        }
        return table;
    }

    /// <summary><c>tokenizer.json</c> (the tokenizers library's format): BPE model with the byte vocabulary and no merges, ByteLevel decoder.</summary>
    public JsonObject TokenizerJson()
    {
        var table = ByteToChar();
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            vocab[table[b].ToString()] = b;
        }
        var added = new JsonArray();
        foreach (var special in Specials)
        {
            added.Add(new JsonObject
            {
                ["id"] = Id(special), ["content"] = special, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = true,
            });
        }
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "Split",
                        ["pattern"] = new JsonObject { ["Regex"] = Architecture == HfArchitecture.Qwen2 ? QwenSplit : LlamaSplit },
                        ["behavior"] = "Isolated",
                        ["invert"] = false,
                    },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false, ["vocab"] = vocab, ["merges"] = new JsonArray(),
            },
        };
    }

    /// <summary><c>tokenizer_config.json</c>: the special tokens, the tokenizer class transformers builds and the chat template.</summary>
    public JsonObject TokenizerConfigJson(int modelMaxLength)
    {
        var decoder = new JsonObject();
        foreach (var special in Specials)
        {
            decoder[Id(special).ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = special, ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false, ["special"] = true,
            };
        }
        var qwen = Architecture == HfArchitecture.Qwen2;
        return new JsonObject
        {
            ["added_tokens_decoder"] = decoder,
            ["bos_token"] = qwen ? null : "<|begin_of_text|>",
            ["eos_token"] = qwen ? "<|im_end|>" : "<|eot_id|>",
            ["pad_token"] = qwen ? "<|endoftext|>" : "<|end_of_text|>",
            ["clean_up_tokenization_spaces"] = false,
            ["model_max_length"] = modelMaxLength,
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["chat_template"] = qwen ? ChatMlJinja : Llama3Jinja,
        };
    }

    /// <summary><c>generation_config.json</c>: greedy, stopping at the end of turn or end of text (as <see cref="HfGreedyDecoder"/> does).</summary>
    public JsonObject GenerationConfigJson() => new()
    {
        ["bos_token_id"] = BosId,
        ["eos_token_id"] = new JsonArray([.. EosIds.Select(i => (JsonNode)i)]),
        ["pad_token_id"] = Architecture == HfArchitecture.Qwen2 ? Id("<|endoftext|>") : Id("<|end_of_text|>"),
        ["do_sample"] = false,
        ["transformers_version"] = "4.45.0",
    };
}
