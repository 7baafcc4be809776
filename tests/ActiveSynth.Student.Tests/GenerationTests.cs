using ActiveSynth.Student.Generation;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Tokenization;
using TorchSharp;

namespace ActiveSynth.Student.Tests;

public sealed class GenerationTests
{
    private static List<int[]> Prompts(CharTokenizer tokenizer) =>
        [.. new[] { "copy ab", "rev hello world", "x", "shift abcdefghi" }.Select(q => PromptFormat.PromptIds(tokenizer, q, Tiny.Config.Context))];

    [Fact]
    public void Kv_cache_generation_equals_generation_without_cache()
    {
        torch.set_num_threads(1);
        using var model = Tiny.Model(seed: 3);
        var prompts = Prompts(model.Tokenizer);

        var cached = GreedyDecoder.Decode(model, prompts, maxNewTokens: 24, useKvCache: true);
        var full = GreedyDecoder.Decode(model, prompts, maxNewTokens: 24, useKvCache: false);

        for (var i = 0; i < prompts.Count; i++)
        {
            Assert.Equal(full[i].Tokens, cached[i].Tokens);
            Assert.Equal(full[i].Terminated, cached[i].Terminated);
            Assert.Equal(full[i].LogProbs.Length, cached[i].LogProbs.Length);
            for (var t = 0; t < full[i].LogProbs.Length; t++)
            {
                Assert.InRange(Math.Abs(full[i].LogProbs[t] - cached[i].LogProbs[t]), 0, 1e-4);
            }
        }
        Assert.Contains(cached, d => d.Tokens.Length > 0);
    }

    [Fact]
    public void A_long_decode_grows_the_kv_cache_and_still_equals_recomputation()
    {
        torch.set_num_threads(1);
        using var model = StudentModel.Create(Tiny.Config with { Context = 96 }, CharTokenizer.Default, torch.CPU, 13);
        var prompts = Prompts(model.Tokenizer);
        var cached = GreedyDecoder.Decode(model, prompts, maxNewTokens: 80, useKvCache: true);
        var full = GreedyDecoder.Decode(model, prompts, maxNewTokens: 80, useKvCache: false);
        Assert.Contains(cached, d => d.ScoredTokenCount > 40); // past the cache's initial room
        for (var i = 0; i < prompts.Count; i++)
        {
            Assert.Equal(full[i].Tokens, cached[i].Tokens);
        }
    }

    [Fact]
    public void A_prompt_decodes_the_same_alone_and_left_padded_in_a_batch()
    {
        torch.set_num_threads(1);
        using var model = Tiny.Model(seed: 5);
        var prompts = Prompts(model.Tokenizer);
        var batch = GreedyDecoder.Decode(model, prompts, maxNewTokens: 16);
        for (var i = 0; i < prompts.Count; i++)
        {
            var alone = GreedyDecoder.Decode(model, [prompts[i]], maxNewTokens: 16)[0];
            Assert.Equal(alone.Tokens, batch[i].Tokens);
            Assert.All(batch[i].LogProbs, lp => Assert.True(float.IsFinite(lp), "NaN/inf log-prob: a pad row leaked"));
        }
    }

    [Fact]
    public void Decoding_respects_the_token_limit_and_the_context()
    {
        using var model = Tiny.Model(seed: 7);
        var prompts = Prompts(model.Tokenizer);
        var limited = GreedyDecoder.Decode(model, prompts, maxNewTokens: 3);
        Assert.All(limited, d => Assert.True(d.ScoredTokenCount <= 3));
        var longest = prompts.Max(p => p.Length);
        var capped = GreedyDecoder.Decode(model, prompts, maxNewTokens: 1000);
        Assert.All(capped, d => Assert.True(d.ScoredTokenCount <= Tiny.Config.Context - longest));
    }
}
