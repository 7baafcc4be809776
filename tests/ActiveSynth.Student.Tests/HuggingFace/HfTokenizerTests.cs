using ActiveSynth.Student.HuggingFace;

namespace ActiveSynth.Student.Tests.HuggingFace;

public sealed class HfTokenizerTests
{
    private static HfTokenizer Load(string[] specials, out string directory)
    {
        directory = Path.Combine(Path.GetTempPath(), "activesynth-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "tokenizer.json");
        File.WriteAllText(path, TinyHfCheckpoint.TokenizerJson(specials).ToJsonString());
        return HfTokenizer.Load(path);
    }

    [Theory]
    [InlineData("the cat is on the mat")]
    [InlineData("  two  spaces,\nnewlines\n\n and #### 42")]
    [InlineData("Ünïcödé: 数学 ✓ 🙂")]
    [InlineData("")]
    public void Text_round_trips(string text)
    {
        var tokenizer = Load(TinyHfCheckpoint.QwenSpecials, out var dir);
        try
        {
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Merges_apply_and_special_tokens_encode_to_their_ids_and_round_trip()
    {
        var tokenizer = Load(TinyHfCheckpoint.QwenSpecials, out var dir);
        try
        {
            var first = TinyHfCheckpoint.FirstSpecialId;
            Assert.Equal(first + 1, tokenizer.TokenId("<|im_start|>"));
            // " the" is one merged token (Ġ t → Ġt, h e → he, Ġt he → Ġthe); "####" is one token (# # → ##, ## ## → ####).
            Assert.Single(tokenizer.Encode(" the"));
            Assert.Single(tokenizer.Encode("####"));
            var text = "<|im_start|>user\nthe cat<|im_end|>\n";
            var ids = tokenizer.Encode(text);
            Assert.Equal(first + 1, ids[0]);
            Assert.Contains(first + 2, ids);
            Assert.Equal(2, ids.Count(i => i >= first));
            Assert.Equal(text, tokenizer.Decode(ids, includeSpecial: true));
            Assert.Equal("user\nthe cat\n", tokenizer.Decode(ids));
            Assert.Equal(first + TinyHfCheckpoint.QwenSpecials.Length, tokenizer.Count);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Chat_templates_are_chosen_by_the_special_tokens_and_render_as_the_models_do()
    {
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", ChatTemplate.ChatMl.Prompt("hi"));
        Assert.Equal("<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", ChatTemplate.ChatMl.Prompt("hi", "be brief"));
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            ChatTemplate.Llama3.Prompt("hi"));
        var qwen = Load(TinyHfCheckpoint.QwenSpecials, out var a);
        var llama = Load(TinyHfCheckpoint.LlamaSpecials, out var b);
        try
        {
            var qwenConfig = HfModelConfig.Parse(TinyHfCheckpoint.QwenConfig(TinyHfCheckpoint.FirstSpecialId), "config.json");
            var llamaConfig = HfModelConfig.Parse(TinyHfCheckpoint.LlamaConfig(TinyHfCheckpoint.FirstSpecialId), "config.json");
            Assert.Same(ChatTemplate.ChatMl, ChatTemplate.For(qwenConfig, qwen));
            Assert.Same(ChatTemplate.Llama3, ChatTemplate.For(llamaConfig, llama));
            Assert.Same(ChatTemplate.ChatMl, ChatTemplate.For(llamaConfig, qwen)); // tokens decide over model_type
        }
        finally
        {
            Directory.Delete(a, true);
            Directory.Delete(b, true);
        }
    }
}
