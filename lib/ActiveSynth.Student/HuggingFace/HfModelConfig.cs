using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>Which architecture a checkpoint is: the two decoder-only families this loader implements.</summary>
public enum HfArchitecture
{
    Llama,
    Qwen2,
}

/// <summary>
/// The fields of a Hugging Face <c>config.json</c> that a Llama- or Qwen2-architecture causal LM needs, with the
/// transformers defaults where a field is optional. <see cref="Load"/> validates: an unsupported <c>model_type</c>, a
/// missing or malformed field or an inconsistent shape raises <see cref="HfCheckpointException"/> naming the file and field.
/// </summary>
public sealed record HfModelConfig
{
    public required HfArchitecture Architecture { get; init; }

    public required int VocabSize { get; init; }

    public required int HiddenSize { get; init; }

    public required int IntermediateSize { get; init; }

    public required int Layers { get; init; }

    public required int Heads { get; init; }

    public required int KeyValueHeads { get; init; }

    public required int HeadDim { get; init; }

    public double RmsNormEps { get; init; } = 1e-6;

    public double RopeTheta { get; init; } = 10000;

    /// <summary>Llama 3.x frequency scaling (<c>rope_scaling.rope_type = llama3</c>); null = plain RoPE.</summary>
    public Llama3RopeScaling? RopeScaling { get; init; }

    public int MaxPositions { get; init; } = 2048;

    public bool TieWordEmbeddings { get; init; }

    /// <summary>Qwen2 has biases on q/k/v; Llama has them only with <c>attention_bias: true</c>.</summary>
    public bool AttentionBias { get; init; }

    /// <summary>The checkpoint's <c>torch_dtype</c> (Float32, BFloat16, Float16).</summary>
    public ScalarType TorchDtype { get; init; } = ScalarType.Float32;

    public int? BosTokenId { get; init; }

    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    public string ModelType => Architecture == HfArchitecture.Qwen2 ? "qwen2" : "llama";

    public static HfModelConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new HfCheckpointException(path, "config.json is missing: a Hugging Face checkpoint directory needs config.json, tokenizer.json and model.safetensors (or model.safetensors.index.json with its shards).");
        }
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new HfCheckpointException(path, "is empty.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new HfCheckpointException(path, $"is not a JSON object: {ex.Message}", ex);
        }
        return Parse(json, path);
    }

    public static HfModelConfig Parse(JsonObject json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        var modelType = Str(json, "model_type", file) ?? throw Missing(file, "model_type");
        var architecture = modelType switch
        {
            "llama" => HfArchitecture.Llama,
            "qwen2" => HfArchitecture.Qwen2,
            _ => throw new HfCheckpointException(file, $"field 'model_type' is '{modelType}'; supported: llama, qwen2."),
        };
        var hidden = RequiredInt(json, "hidden_size", file);
        var heads = RequiredInt(json, "num_attention_heads", file);
        var kvHeads = Int(json, "num_key_value_heads", file) ?? heads;
        var act = Str(json, "hidden_act", file) ?? "silu";
        if (act != "silu")
        {
            throw new HfCheckpointException(file, $"field 'hidden_act' is '{act}'; only 'silu' (SwiGLU) is supported.");
        }
        if (Bool(json, "use_sliding_window", file) == true)
        {
            throw new HfCheckpointException(file, "field 'use_sliding_window' is true; sliding-window attention is not supported.");
        }
        if (Bool(json, "mlp_bias", file) == true)
        {
            throw new HfCheckpointException(file, "field 'mlp_bias' is true; MLP biases are not supported.");
        }
        if (heads % kvHeads != 0)
        {
            throw new HfCheckpointException(file, $"field 'num_key_value_heads' ({kvHeads}) does not divide 'num_attention_heads' ({heads}).");
        }
        var headDim = Int(json, "head_dim", file) ?? (hidden % heads == 0 ? hidden / heads
            : throw new HfCheckpointException(file, $"field 'hidden_size' ({hidden}) is not a multiple of 'num_attention_heads' ({heads}) and 'head_dim' is missing."));
        if (headDim % 2 != 0)
        {
            throw new HfCheckpointException(file, $"field 'head_dim' ({headDim}) must be even for rotary embeddings.");
        }
        var config = new HfModelConfig
        {
            Architecture = architecture,
            VocabSize = RequiredInt(json, "vocab_size", file),
            HiddenSize = hidden,
            IntermediateSize = RequiredInt(json, "intermediate_size", file),
            Layers = RequiredInt(json, "num_hidden_layers", file),
            Heads = heads,
            KeyValueHeads = kvHeads,
            HeadDim = headDim,
            RmsNormEps = Double(json, "rms_norm_eps", file) ?? 1e-6,
            RopeTheta = Double(json, "rope_theta", file) ?? 10000,
            RopeScaling = RopeScalingOf(json, file),
            MaxPositions = Int(json, "max_position_embeddings", file) ?? 2048,
            TieWordEmbeddings = Bool(json, "tie_word_embeddings", file) ?? false,
            AttentionBias = architecture == HfArchitecture.Qwen2 || (Bool(json, "attention_bias", file) ?? false),
            TorchDtype = DtypeOf(Str(json, "torch_dtype", file) ?? Str(json, "dtype", file), file),
            BosTokenId = Int(json, "bos_token_id", file),
            EosTokenIds = IntOrList(json, "eos_token_id", file),
        };
        return config;
    }

    /// <summary>The config as <c>config.json</c> writes it (tests, benchmarks and saved checkpoints).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["model_type"] = ModelType,
            ["architectures"] = new JsonArray(Architecture == HfArchitecture.Qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = Layers,
            ["num_attention_heads"] = Heads,
            ["num_key_value_heads"] = KeyValueHeads,
            ["head_dim"] = HeadDim,
            ["hidden_act"] = "silu",
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["max_position_embeddings"] = MaxPositions,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["torch_dtype"] = TorchDtype switch { ScalarType.BFloat16 => "bfloat16", ScalarType.Float16 => "float16", _ => "float32" },
        };
        if (Architecture == HfArchitecture.Llama)
        {
            json["attention_bias"] = AttentionBias;
        }
        if (BosTokenId is { } bos)
        {
            json["bos_token_id"] = bos;
        }
        if (EosTokenIds.Count == 1)
        {
            json["eos_token_id"] = EosTokenIds[0];
        }
        else if (EosTokenIds.Count > 1)
        {
            json["eos_token_id"] = new JsonArray([.. EosTokenIds.Select(e => (JsonNode)e)]);
        }
        if (RopeScaling is { } s)
        {
            json["rope_scaling"] = new JsonObject
            {
                ["rope_type"] = "llama3",
                ["factor"] = s.Factor,
                ["low_freq_factor"] = s.LowFreqFactor,
                ["high_freq_factor"] = s.HighFreqFactor,
                ["original_max_position_embeddings"] = s.OriginalMaxPositions,
            };
        }
        return json;
    }

    private static Llama3RopeScaling? RopeScalingOf(JsonObject json, string file)
    {
        if (json["rope_scaling"] is not JsonObject scaling)
        {
            return null;
        }
        var type = Str(scaling, "rope_type", file) ?? Str(scaling, "type", file);
        if (type is "default" or null)
        {
            return null;
        }
        if (type != "llama3")
        {
            throw new HfCheckpointException(file, $"field 'rope_scaling.rope_type' is '{type}'; supported: llama3 (or none).");
        }
        return new Llama3RopeScaling(
            Double(scaling, "factor", file) ?? throw Missing(file, "rope_scaling.factor"),
            Double(scaling, "low_freq_factor", file) ?? 1,
            Double(scaling, "high_freq_factor", file) ?? 4,
            Int(scaling, "original_max_position_embeddings", file) ?? 8192);
    }

    private static ScalarType DtypeOf(string? name, string file) => name switch
    {
        null or "float32" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        "float16" => ScalarType.Float16,
        _ => throw new HfCheckpointException(file, $"field 'torch_dtype' is '{name}'; supported: float32, bfloat16, float16."),
    };

    private static HfCheckpointException Missing(string file, string field) => new(file, $"required field '{field}' is missing.");

    private static int RequiredInt(JsonObject json, string field, string file)
    {
        var value = Int(json, field, file) ?? throw Missing(file, field);
        return value > 0 ? value : throw new HfCheckpointException(file, $"field '{field}' is {value}; it must be positive.");
    }

    private static int? Int(JsonObject json, string field, string file)
    {
        var node = json[field];
        if (node is null)
        {
            return null;
        }
        return node is JsonValue v && v.TryGetValue<int>(out var i) ? i
            : throw new HfCheckpointException(file, $"field '{field}' is {node.ToJsonString()}; expected an integer.");
    }

    private static double? Double(JsonObject json, string field, string file)
    {
        var node = json[field];
        if (node is null)
        {
            return null;
        }
        return node is JsonValue v && v.TryGetValue<double>(out var d) ? d
            : throw new HfCheckpointException(file, $"field '{field}' is {node.ToJsonString()}; expected a number.");
    }

    private static bool? Bool(JsonObject json, string field, string file)
    {
        var node = json[field];
        if (node is null)
        {
            return null;
        }
        return node is JsonValue v && v.TryGetValue<bool>(out var b) ? b
            : throw new HfCheckpointException(file, $"field '{field}' is {node.ToJsonString()}; expected true or false.");
    }

    private static string? Str(JsonObject json, string field, string file)
    {
        var node = json[field];
        if (node is null)
        {
            return null;
        }
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new HfCheckpointException(file, $"field '{field}' is {node.ToJsonString()}; expected a string.");
    }

    private static int[] IntOrList(JsonObject json, string field, string file)
    {
        var node = json[field];
        if (node is JsonArray array)
        {
            return [.. array.Select(n => n is JsonValue v && v.TryGetValue<int>(out var i) ? i
                : throw new HfCheckpointException(file, $"field '{field}' holds {n?.ToJsonString()}; expected integers."))];
        }
        return Int(json, field, file) is { } one ? [one] : [];
    }
}

/// <summary>Llama 3.x RoPE frequency scaling (transformers' <c>_compute_llama3_parameters</c>).</summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositions);
