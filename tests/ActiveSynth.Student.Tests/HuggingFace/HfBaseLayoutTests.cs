using System.Text.Json.Nodes;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.HuggingFace;
using TorchSharp;

namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary>
/// A base made by <c>activesynth students pretrain</c> (<see cref="HfBasePretrainer"/>) is laid out as transformers
/// writes and reads one: the tensor names and shapes are listed here from transformers' own modules, not from this
/// project's model, so a renamed or reshaped parameter on our side fails here.
/// </summary>
public sealed class HfBaseLayoutTests
{
    private static readonly ITaskFamily[] Families = [.. TaskFamilyRegistry.EmbeddedBenchmarkFamilies.Select(TaskFamilyRegistry.Default.Get)];

    private static HfBaseSpec Tiny(HfArchitecture architecture) => new()
    {
        Architecture = architecture, HiddenSize = 32, Layers = 2, Heads = 4, KeyValueHeads = 2, IntermediateSize = 48, MaxPositions = 96,
        Steps = 2, BatchSize = 4, Seed = 3,
    };

    /// <summary>
    /// The state dict of transformers' <c>Qwen2ForCausalLM</c> / <c>LlamaForCausalLM</c> for a config, as
    /// <c>save_pretrained</c> writes it (transformers 4.4x, models/qwen2/modeling_qwen2.py and models/llama/modeling_llama.py):
    /// <c>Qwen2Model.embed_tokens = nn.Embedding(vocab_size, hidden_size)</c>; per layer <c>Qwen2Attention</c>'s
    /// <c>q_proj = nn.Linear(hidden_size, num_attention_heads * head_dim, bias=True)</c> (Llama: <c>bias=config.attention_bias</c>),
    /// <c>k_proj</c>, <c>v_proj = nn.Linear(hidden_size, num_key_value_heads * head_dim, bias=True)</c>,
    /// <c>o_proj = nn.Linear(num_attention_heads * head_dim, hidden_size, bias=False)</c>; <c>Qwen2MLP</c>'s
    /// <c>gate_proj</c>, <c>up_proj = nn.Linear(hidden_size, intermediate_size, bias=False)</c>,
    /// <c>down_proj = nn.Linear(intermediate_size, hidden_size, bias=False)</c>; <c>input_layernorm</c>,
    /// <c>post_attention_layernorm = Qwen2RMSNorm(hidden_size)</c>; then <c>norm = Qwen2RMSNorm(hidden_size)</c>; and
    /// <c>lm_head = nn.Linear(hidden_size, vocab_size, bias=False)</c>, left out of the file when
    /// <c>tie_word_embeddings</c> (its <c>_tied_weights_keys = ["lm_head.weight"]</c>). nn.Linear's weight is (out, in).
    /// </summary>
    private static Dictionary<string, long[]> TransformersStateDict(JsonObject config)
    {
        int I(string key) => config[key]!.GetValue<int>();
        var (vocab, hidden, inter, heads, kv) = (I("vocab_size"), I("hidden_size"), I("intermediate_size"), I("num_attention_heads"), I("num_key_value_heads"));
        var headDim = config["head_dim"]?.GetValue<int>() ?? hidden / heads;
        var qwen = config["model_type"]!.GetValue<string>() == "qwen2";
        var bias = qwen || (config["attention_bias"]?.GetValue<bool>() ?? false);
        var expected = new Dictionary<string, long[]>(StringComparer.Ordinal) { ["model.embed_tokens.weight"] = [vocab, hidden] };
        for (var i = 0; i < I("num_hidden_layers"); i++)
        {
            var p = $"model.layers.{i}.";
            expected[p + "self_attn.q_proj.weight"] = [heads * headDim, hidden];
            expected[p + "self_attn.k_proj.weight"] = [kv * headDim, hidden];
            expected[p + "self_attn.v_proj.weight"] = [kv * headDim, hidden];
            if (bias)
            {
                expected[p + "self_attn.q_proj.bias"] = [heads * headDim];
                expected[p + "self_attn.k_proj.bias"] = [kv * headDim];
                expected[p + "self_attn.v_proj.bias"] = [kv * headDim];
            }
            expected[p + "self_attn.o_proj.weight"] = [hidden, heads * headDim];
            expected[p + "mlp.gate_proj.weight"] = [inter, hidden];
            expected[p + "mlp.up_proj.weight"] = [inter, hidden];
            expected[p + "mlp.down_proj.weight"] = [hidden, inter];
            expected[p + "input_layernorm.weight"] = [hidden];
            expected[p + "post_attention_layernorm.weight"] = [hidden];
        }
        expected["model.norm.weight"] = [hidden];
        if (!config["tie_word_embeddings"]!.GetValue<bool>())
        {
            expected["lm_head.weight"] = [vocab, hidden];
        }
        return expected;
    }

    [Theory]
    [InlineData(HfArchitecture.Qwen2, "qwen2", "Qwen2ForCausalLM", true)]
    [InlineData(HfArchitecture.Llama, "llama", "LlamaForCausalLM", false)]
    public void A_pretrained_base_is_written_with_transformers_names_shapes_and_config_keys(HfArchitecture architecture, string modelType, string className, bool tied)
    {
        torch.set_num_threads(1);
        var directory = Path.Combine(Path.GetTempPath(), "activesynth-hfbase-" + Guid.NewGuid().ToString("N"));
        try
        {
            float[] probeLogits;
            var probe = new[] { 256, 99, 111, 112, 121, 32, 97, 98, 99 };
            using (var made = HfBasePretrainer.PretrainTo(directory, Tiny(architecture), Families))
            {
                probeLogits = HfTestSupport.Logits(made.Student, probe);
                Assert.Equal(2, made.Report.Steps);
            }

            Assert.Equal(["activesynth_pretraining.json", "activesynth_replay.jsonl", "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"],
                Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "config.json")))!.AsObject();
            Assert.Equal(modelType, config["model_type"]!.GetValue<string>());
            Assert.Equal([className], config["architectures"]!.AsArray().Select(a => a!.GetValue<string>()));
            Assert.Equal(tied, config["tie_word_embeddings"]!.GetValue<bool>());
            foreach (var key in new[] { "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
                "rms_norm_eps", "rope_theta", "max_position_embeddings", "hidden_act", "torch_dtype", "bos_token_id", "eos_token_id" })
            {
                Assert.True(config.ContainsKey(key), $"config.json has no '{key}'");
            }
            Assert.Equal(256 + (architecture == HfArchitecture.Qwen2 ? 3 : 5), config["vocab_size"]!.GetValue<int>());

            var header = SafeTensors.ReadHeader(Path.Combine(directory, "model.safetensors"));
            var expected = TransformersStateDict(config);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), header.Entries.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, shape) in expected)
            {
                Assert.True(shape.SequenceEqual(header.Entries[name].Shape), $"{name}: [{string.Join(", ", header.Entries[name].Shape)}], transformers expects [{string.Join(", ", shape)}]");
                Assert.Equal(torch.ScalarType.Float32, header.Entries[name].Dtype);
            }
            Assert.Equal("pt", header.Metadata["format"]); // transformers refuses a safetensors file without format=pt metadata

            var tokenizerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "tokenizer_config.json")))!.AsObject();
            var template = tokenizerConfig["chat_template"]!.GetValue<string>();
            Assert.Contains(architecture == HfArchitecture.Qwen2 ? "<|im_start|>" : "<|start_header_id|>", template, StringComparison.Ordinal);
            Assert.Contains("add_generation_prompt", template, StringComparison.Ordinal);
            var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "generation_config.json")))!.AsObject();
            Assert.Equal(config["eos_token_id"]!.ToJsonString(), generation["eos_token_id"]!.ToJsonString());

            // What the loop loads is what was trained: same logits; the tokenizer is one byte per token and the template's specials are single ids.
            using var loaded = HfStudent.Load(directory);
            HfTestSupport.AssertSameLogits(probeLogits, HfTestSupport.Logits(loaded, probe));
            Assert.Equal([.. "rev abc\n#### cba"u8.ToArray().Select(b => (int)b)], loaded.Tokenizer.Encode("rev abc\n#### cba"));
            Assert.Equal(loaded.EndOfTurnId, loaded.Tokenizer.Encode(loaded.Template.EndOfTurn).Single());
            Assert.Equal(loaded.Template.Prompt("rev abc"), loaded.Tokenizer.Decode(loaded.Tokenizer.Encode(loaded.Template.Prompt("rev abc")), includeSpecial: true));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void Pretraining_teaches_the_format_and_writing_into_a_used_directory_is_refused()
    {
        torch.set_num_threads(1);
        using var made = HfBasePretrainer.Pretrain(Tiny(HfArchitecture.Qwen2) with { Steps = 60, BatchSize = 16, LearningRate = 5e-3 }, Families);
        Assert.True(made.Report.LossCurve[^1] < made.Report.LossCurve[0] * 0.6, $"loss curve {string.Join(", ", made.Report.LossCurve)}");

        var used = Path.Combine(Path.GetTempPath(), "activesynth-hfbase-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(used);
        File.WriteAllText(Path.Combine(used, "notes.txt"), "mine");
        try
        {
            var ex = Assert.Throws<IOException>(() => HfCheckpointWriter.Write(made.Student, made.Vocabulary, used));
            Assert.Contains("not empty", ex.Message, StringComparison.Ordinal);
            Assert.Equal(["notes.txt"], Directory.GetFiles(used).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(used, recursive: true);
        }
    }
}
