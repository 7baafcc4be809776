using ActiveSynth.Student.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Tests.HuggingFace;

public sealed class HfLoadingTests
{
    private static readonly int[] Sequence = [.. "<|im_start|>user\nthe cat is 12".Select(c => (int)c % 200), TinyHfCheckpoint.FirstSpecialId + 1, 5, 17, 260];

    [Fact]
    public void Qwen2_fp32_logits_match_a_plain_double_reference()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen(seed: 3);
        using var student = HfStudent.Load(checkpoint.Directory);
        Assert.Equal(HfArchitecture.Qwen2, student.Config.Architecture);
        Assert.True(student.Config.TieWordEmbeddings && student.Config.AttentionBias);
        Assert.Equal(ScalarType.Float32, student.Network.Dtype);

        var (error, scale) = HfTestSupport.Compare(HfTestSupport.Logits(student, Sequence), ReferenceForward.Logits(checkpoint, Sequence));
        Assert.True(scale > 1, $"logits are too flat to compare (max |logit| {scale})");
        Assert.True(error < 1e-4 * Math.Max(1, scale), $"max |logit error| {error} at scale {scale}");
    }

    [Fact]
    public void Llama_with_untied_head_gqa_head_dim_and_llama3_rope_scaling_matches_the_reference()
    {
        using var checkpoint = TinyHfCheckpoint.Llama(seed: 4);
        using var student = HfStudent.Load(checkpoint.Directory);
        Assert.Equal(HfArchitecture.Llama, student.Config.Architecture);
        Assert.False(student.Config.TieWordEmbeddings);
        Assert.NotNull(student.Config.RopeScaling);
        Assert.Same(ChatTemplate.Llama3, student.Template);
        Assert.Equal([TinyHfCheckpoint.FirstSpecialId + 1, TinyHfCheckpoint.FirstSpecialId + 4], student.StopTokenIds.Order());

        // Long enough that low-frequency (scaled) rotary components matter.
        var ids = Enumerable.Range(0, 70).Select(i => (i * 37 + 11) % 270).ToArray();
        var (error, scale) = HfTestSupport.Compare(HfTestSupport.Logits(student, ids), ReferenceForward.Logits(checkpoint, ids));
        Assert.True(error < 1e-4 * Math.Max(1, scale), $"max |logit error| {error} at scale {scale}");
    }

    [Fact]
    public void Bf16_checkpoint_runs_in_bf16_within_a_looser_tolerance_and_can_be_loaded_as_fp32()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen(seed: 5, bf16: true);
        var reference = ReferenceForward.Logits(checkpoint, Sequence);
        using (var bf16 = HfStudent.Load(checkpoint.Directory))
        {
            Assert.Equal(ScalarType.BFloat16, bf16.Network.Dtype);
            var (error, scale) = HfTestSupport.Compare(HfTestSupport.Logits(bf16, Sequence), reference);
            Assert.True(error < 0.05 * scale, $"bf16: max |logit error| {error} at scale {scale}");
        }
        using var fp32 = HfStudent.Load(checkpoint.Directory, new HfStudentOptions { Dtype = ScalarType.Float32 });
        var (fpError, fpScale) = HfTestSupport.Compare(HfTestSupport.Logits(fp32, Sequence), reference);
        Assert.True(fpError < 1e-4 * Math.Max(1, fpScale), $"bf16 weights in fp32: max |logit error| {fpError}");
    }

    [Fact]
    public void Sharded_checkpoint_loads_the_same_weights_as_a_single_file()
    {
        using var single = TinyHfCheckpoint.Qwen(seed: 6);
        using var sharded = TinyHfCheckpoint.Qwen(seed: 6, sharded: true);
        Assert.True(File.Exists(Path.Combine(sharded.Directory, "model.safetensors.index.json")));
        using var a = HfStudent.Load(single.Directory);
        using var b = HfStudent.Load(sharded.Directory);
        HfTestSupport.AssertSameLogits(HfTestSupport.Logits(a, Sequence), HfTestSupport.Logits(b, Sequence));
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("llama")]
    public void Kv_cache_decoding_gives_the_same_tokens_as_full_recompute_for_a_left_padded_batch(string architecture)
    {
        set_num_threads(1);
        using var checkpoint = architecture == "llama" ? TinyHfCheckpoint.Llama(seed: 7) : TinyHfCheckpoint.Qwen(seed: 7);
        using var student = HfStudent.Load(checkpoint.Directory);
        string[] questions = ["copy: abc", "reverse: the cat is on the mat", "x"];
        var cached = student.DecodeGreedy(questions, 12, useKvCache: true);
        var full = student.DecodeGreedy(questions, 12, useKvCache: false);
        for (var i = 0; i < questions.Length; i++)
        {
            Assert.Equal(full[i].Tokens, cached[i].Tokens);
            Assert.Equal(full[i].Terminated, cached[i].Terminated);
            Assert.Equal(full[i].LogProbs.Length, cached[i].LogProbs.Length);
            for (var t = 0; t < full[i].LogProbs.Length; t++)
            {
                Assert.Equal(full[i].LogProbs[t], cached[i].LogProbs[t], 3);
            }
            // Batching (left padding) does not change a row's answer.
            var alone = student.DecodeGreedy([questions[i]], 12, useKvCache: true)[0];
            Assert.Equal(alone.Tokens, cached[i].Tokens);
        }
        Assert.Contains(cached, d => d.Tokens.Length > 0);
    }

    [Fact]
    public void Greedy_decoding_stops_at_an_eos_token_and_counts_it_as_the_terminator()
    {
        // eos_token_id = <|endoftext|>, a stop token that the chat prompt does not contain.
        using var checkpoint = TinyHfCheckpoint.Qwen(seed: 8, editConfig: c => c["eos_token_id"] = TinyHfCheckpoint.FirstSpecialId);
        using var student = HfStudent.Load(checkpoint.Directory);
        var eos = TinyHfCheckpoint.FirstSpecialId;
        Assert.Contains(eos, student.StopTokenIds);
        var prompt = student.PromptIds("copy: abc");
        var first = student.DecodeGreedy(["copy: abc"], 1, useKvCache: true)[0].Tokens[0];
        // Make the first greedy token <|endoftext|>: its (tied) embedding row becomes a large multiple of the prompt's last hidden state.
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var x = tensor(prompt.Select(i => (long)i).ToArray(), [1, prompt.Length]);
            student.Network.Forward(x, arange(prompt.Length, dtype: ScalarType.Int64).unsqueeze(0), null, null, out var hidden);
            var last = hidden.select(1, prompt.Length - 1).squeeze(0);
            var embed = student.Network.named_parameters().Single(p => p.name == "model.embed_tokens.weight").parameter;
            embed[eos].copy_(last * 100);
        }
        var decoded = student.DecodeGreedy(["copy: abc"], 8, useKvCache: true)[0];
        Assert.NotEqual(eos, first);
        Assert.True(decoded.Terminated);
        Assert.Empty(decoded.Tokens);
        Assert.Single(decoded.LogProbs);
        Assert.Equal(eos, decoded.TerminatorId);
        // The own-answer pair ends with the stop token the model produced (not the template's end of turn).
        Assert.Equal([eos], student.OwnAnswerPair("copy: abc", decoded).Target);
    }
}
