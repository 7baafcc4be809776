using ActiveSynth.Student.HuggingFace;

namespace ActiveSynth.Student.Tests.HuggingFace;

public sealed class HfErrorTests
{
    [Fact]
    public void Unsupported_model_type_names_the_file_and_field()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen(editConfig: c => c["model_type"] = "gpt2");
        var ex = Assert.Throws<HfCheckpointException>(() => HfStudent.Load(checkpoint.Directory));
        Assert.EndsWith("config.json", ex.File, StringComparison.Ordinal);
        Assert.Contains("'model_type'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gpt2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("vocab_size")]
    public void A_missing_required_field_is_named(string field)
    {
        using var checkpoint = TinyHfCheckpoint.Qwen(editConfig: c => c.Remove(field));
        var ex = Assert.Throws<HfCheckpointException>(() => HfStudent.Load(checkpoint.Directory));
        Assert.Contains("config.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_field_is_named()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen(editConfig: c => c["num_key_value_heads"] = "two");
        var ex = Assert.Throws<HfCheckpointException>(() => HfStudent.Load(checkpoint.Directory));
        Assert.Contains("'num_key_value_heads'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sliding_window_attention_is_refused_by_name()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen(editConfig: c => c["use_sliding_window"] = true);
        var ex = Assert.Throws<HfCheckpointException>(() => HfStudent.Load(checkpoint.Directory));
        Assert.Contains("'use_sliding_window'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_shard_names_the_index_and_the_shard()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen(sharded: true);
        File.Delete(Path.Combine(checkpoint.Directory, "model-00002-of-00002.safetensors"));
        var ex = Assert.Throws<HfCheckpointException>(() => HfStudent.Load(checkpoint.Directory));
        Assert.EndsWith("model.safetensors.index.json", ex.File, StringComparison.Ordinal);
        Assert.Contains("model-00002-of-00002.safetensors", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_with_the_wrong_shape_names_the_file_and_the_tensor()
    {
        // The config says 3 layers' worth of intermediate size that the weights do not have.
        using var checkpoint = TinyHfCheckpoint.Qwen(editConfig: c => c["intermediate_size"] = 48);
        var ex = Assert.Throws<HfCheckpointException>(() => HfStudent.Load(checkpoint.Directory));
        Assert.EndsWith("model.safetensors", ex.File, StringComparison.Ordinal);
        Assert.Contains("model.layers.0.mlp.gate_proj.weight", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[64, 32]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[48, 32]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        // Untied embeddings need lm_head.weight, which a tied checkpoint does not have.
        using var checkpoint = TinyHfCheckpoint.Qwen(editConfig: c => c["tie_word_embeddings"] = false);
        var ex = Assert.Throws<HfCheckpointException>(() => HfStudent.Load(checkpoint.Directory));
        Assert.Contains("'lm_head.weight'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_weights_and_missing_directory_are_named()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen();
        File.Delete(Path.Combine(checkpoint.Directory, "model.safetensors"));
        var ex = Assert.Throws<HfCheckpointException>(() => HfStudent.Load(checkpoint.Directory));
        Assert.EndsWith("model.safetensors", ex.File, StringComparison.Ordinal);
        var missing = Path.Combine(checkpoint.Directory, "nope");
        Assert.Equal(missing, Assert.Throws<HfCheckpointException>(() => HfStudent.Load(missing)).File);
    }

    [Fact]
    public void A_truncated_safetensors_file_is_refused_naming_it()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen();
        var path = Path.Combine(checkpoint.Directory, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var ex = Assert.Throws<HfCheckpointException>(() => HfStudent.Load(checkpoint.Directory));
        Assert.Equal(path, ex.File);
    }
}
