using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace ActiveSynth.Testing;

/// <summary>
/// A tiny randomly initialised Llama/Qwen2 checkpoint written by the tests themselves: config.json, a byte-level BPE
/// tokenizer.json (256 byte tokens, a few merges, the architecture's special tokens) and the weights as safetensors
/// (one file or two shards with an index; F32 or BF16), written here by hand so that the loader is tested against
/// the format rather than against its own writer. The weights are kept as float arrays for the reference forward.
/// </summary>
public sealed class TinyHfCheckpoint : IDisposable
{
    public static readonly string[] QwenSpecials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
    public static readonly string[] LlamaSpecials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"];

    // Qwen2's pre-tokenizer split.
    private const string QwenPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly (string A, string B)[] MergeList =
    [
        ("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("#", "#"), ("##", "##"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("o", "n"), ("r", "e"),
        ("Ġ", "s"), ("a", "t"), ("e", "n"), ("Ġ", "c"), ("o", "r"), ("Ġ", "w"), ("i", "s"), ("Ġ", "o"), ("Ġ", "1"), ("Ġ", "2"),
    ];

    private TinyHfCheckpoint(string directory, JsonObject config, Dictionary<string, (long[] Shape, float[] Data)> weights, string[] specials)
    {
        Directory = directory;
        Config = config;
        Weights = weights;
        Specials = specials;
    }

    public string Directory { get; }

    public JsonObject Config { get; }

    /// <summary>The weights as written (BF16 checkpoints: already rounded to bf16).</summary>
    public Dictionary<string, (long[] Shape, float[] Data)> Weights { get; }

    public string[] Specials { get; }

    public int Hidden => Config["hidden_size"]!.GetValue<int>();

    public int Vocab => Config["vocab_size"]!.GetValue<int>();

    public static JsonObject QwenConfig(int firstSpecialId) => new()
    {
        ["model_type"] = "qwen2",
        ["vocab_size"] = firstSpecialId + QwenSpecials.Length + 4, // padding rows past the tokenizer, as Qwen2.5 has
        ["hidden_size"] = 32,
        ["intermediate_size"] = 64,
        ["num_hidden_layers"] = 2,
        ["num_attention_heads"] = 4,
        ["num_key_value_heads"] = 2,
        ["rms_norm_eps"] = 1e-6,
        ["rope_theta"] = 1000000.0,
        ["max_position_embeddings"] = 256,
        ["tie_word_embeddings"] = true,
        ["torch_dtype"] = "float32",
        ["hidden_act"] = "silu",
        ["bos_token_id"] = firstSpecialId,
        ["eos_token_id"] = firstSpecialId + 2,
    };

    public static JsonObject LlamaConfig(int firstSpecialId) => new()
    {
        ["model_type"] = "llama",
        ["vocab_size"] = firstSpecialId + LlamaSpecials.Length,
        ["hidden_size"] = 48,
        ["intermediate_size"] = 80,
        ["num_hidden_layers"] = 2,
        ["num_attention_heads"] = 6,
        ["num_key_value_heads"] = 3,
        ["head_dim"] = 8,
        ["rms_norm_eps"] = 1e-5,
        ["rope_theta"] = 500000.0,
        ["rope_scaling"] = new JsonObject
        {
            ["rope_type"] = "llama3",
            ["factor"] = 32.0,
            ["low_freq_factor"] = 1.0,
            ["high_freq_factor"] = 4.0,
            ["original_max_position_embeddings"] = 64,
        },
        ["max_position_embeddings"] = 256,
        ["tie_word_embeddings"] = false,
        ["attention_bias"] = false,
        ["torch_dtype"] = "float32",
        ["hidden_act"] = "silu",
        ["bos_token_id"] = firstSpecialId,
        ["eos_token_id"] = new JsonArray(firstSpecialId + 1, firstSpecialId + 4),
    };

    public static int FirstSpecialId => 256 + MergeList.Length;

    public static TinyHfCheckpoint Qwen(int seed = 1, bool bf16 = false, bool sharded = false, Action<JsonObject>? editConfig = null) =>
        Write(QwenConfig(FirstSpecialId), QwenSpecials, seed, bf16, sharded, editConfig);

    public static TinyHfCheckpoint Llama(int seed = 1) => Write(LlamaConfig(FirstSpecialId), LlamaSpecials, seed, bf16: false, sharded: false, null);

    public static TinyHfCheckpoint Write(JsonObject config, string[] specials, int seed, bool bf16, bool sharded, Action<JsonObject>? editConfig)
    {
        var directory = Path.Combine(Path.GetTempPath(), "activesynth-hf-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        if (bf16)
        {
            config["torch_dtype"] = "bfloat16";
        }
        var weights = RandomWeights(config, seed, bf16);
        editConfig?.Invoke(config);
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString());
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), TokenizerJson(specials).ToJsonString());
        var names = weights.Keys.ToList();
        if (!sharded)
        {
            WriteSafeTensors(Path.Combine(directory, "model.safetensors"), names, weights, bf16);
        }
        else
        {
            var half = names.Count / 2;
            var shards = new[] { ("model-00001-of-00002.safetensors", names[..half]), ("model-00002-of-00002.safetensors", names[half..]) };
            var map = new JsonObject();
            foreach (var (file, part) in shards)
            {
                WriteSafeTensors(Path.Combine(directory, file), part, weights, bf16);
                foreach (var name in part)
                {
                    map[name] = file;
                }
            }
            File.WriteAllText(Path.Combine(directory, "model.safetensors.index.json"),
                new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = map }.ToJsonString());
        }
        return new TinyHfCheckpoint(directory, config, weights, specials);
    }

    /// <summary>transformers' parameter names and shapes for the config, filled from a seeded Gaussian.</summary>
    private static Dictionary<string, (long[] Shape, float[] Data)> RandomWeights(JsonObject config, int seed, bool bf16)
    {
        int I(string f) => config[f]!.GetValue<int>();
        var hidden = I("hidden_size");
        var heads = I("num_attention_heads");
        var kv = I("num_key_value_heads");
        var headDim = config["head_dim"]?.GetValue<int>() ?? hidden / heads;
        var inter = I("intermediate_size");
        var vocab = I("vocab_size");
        var qwen = config["model_type"]!.GetValue<string>() == "qwen2";
        var random = new Random(seed);
        var weights = new Dictionary<string, (long[] Shape, float[] Data)>(StringComparer.Ordinal);
        void Add(string name, double std, double mean, params long[] shape)
        {
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            for (var i = 0; i < data.Length; i++)
            {
                var u1 = 1.0 - random.NextDouble();
                var u2 = random.NextDouble();
                var value = (float)(mean + std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
                data[i] = bf16 ? RoundToBf16(value) : value;
            }
            weights[name] = (shape, data);
        }
        Add("model.embed_tokens.weight", 0.5, 0, vocab, hidden);
        for (var l = 0; l < I("num_hidden_layers"); l++)
        {
            var p = $"model.layers.{l}.";
            Add(p + "input_layernorm.weight", 0.1, 1, hidden);
            Add(p + "self_attn.q_proj.weight", 0.15, 0, heads * headDim, hidden);
            Add(p + "self_attn.k_proj.weight", 0.15, 0, kv * headDim, hidden);
            Add(p + "self_attn.v_proj.weight", 0.15, 0, kv * headDim, hidden);
            if (qwen)
            {
                Add(p + "self_attn.q_proj.bias", 0.1, 0, heads * headDim);
                Add(p + "self_attn.k_proj.bias", 0.1, 0, kv * headDim);
                Add(p + "self_attn.v_proj.bias", 0.1, 0, kv * headDim);
            }
            Add(p + "self_attn.o_proj.weight", 0.15, 0, hidden, heads * headDim);
            Add(p + "post_attention_layernorm.weight", 0.1, 1, hidden);
            Add(p + "mlp.gate_proj.weight", 0.15, 0, inter, hidden);
            Add(p + "mlp.up_proj.weight", 0.15, 0, inter, hidden);
            Add(p + "mlp.down_proj.weight", 0.15, 0, hidden, inter);
        }
        Add("model.norm.weight", 0.1, 1, hidden);
        if (!(config["tie_word_embeddings"]?.GetValue<bool>() ?? false))
        {
            Add("lm_head.weight", 0.15, 0, vocab, hidden);
        }
        return weights;
    }

    public static float RoundToBf16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        bits += 0x7FFF + ((bits >> 16) & 1); // round to nearest even
        return BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000);
    }

    public static void WriteSafeTensors(string path, IReadOnlyList<string> names, IReadOnlyDictionary<string, (long[] Shape, float[] Data)> weights, bool bf16)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        var blobs = new List<byte[]>();
        foreach (var name in names)
        {
            var (shape, data) = weights[name];
            byte[] bytes;
            if (bf16)
            {
                bytes = new byte[data.Length * 2];
                for (var i = 0; i < data.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)(BitConverter.SingleToUInt32Bits(data[i]) >> 16));
                }
            }
            else
            {
                bytes = new byte[data.Length * 4];
                for (var i = 0; i < data.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
                }
            }
            header[name] = new JsonObject
            {
                ["dtype"] = bf16 ? "BF16" : "F32",
                ["shape"] = new JsonArray([.. shape.Select(s => (JsonNode)s)]),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            offset += bytes.Length;
            blobs.Add(bytes);
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var stream = File.Create(path);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        stream.Write(length);
        stream.Write(json);
        foreach (var blob in blobs)
        {
            stream.Write(blob);
        }
    }

    /// <summary>GPT-2's byte → printable character table (bytes_to_unicode) that byte-level BPE vocabularies are written in.</summary>
    public static char[] ByteToChar()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var table = new char[256];
        var next = 0;
        for (var b = 0; b < 256; b++)
        {
            table[b] = printable.Contains(b) ? (char)b : (char)(256 + next++);
        }
        return table;
    }

    public static JsonObject TokenizerJson(string[] specials)
    {
        var table = ByteToChar();
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            vocab[table[b].ToString()] = b;
        }
        var id = 256;
        var merges = new JsonArray();
        foreach (var (a, b) in MergeList)
        {
            vocab[a + b] = id++;
            merges.Add($"{a} {b}");
        }
        var added = new JsonArray();
        foreach (var special in specials)
        {
            added.Add(new JsonObject { ["id"] = id++, ["content"] = special, ["special"] = true, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false });
        }
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = QwenPattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = merges, ["byte_fallback"] = false, ["ignore_merges"] = false },
        };
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
