using ActiveSynth.Core.Students;
using ActiveSynth.Student.HuggingFace;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Tests.HuggingFace;

public sealed class HfOptionsTests
{
    [Fact]
    public void Options_parse_into_student_and_lora_settings()
    {
        var (student, lora) = HfStudentSpecOptions.Parse(new Dictionary<string, string>
        {
            ["dtype"] = "bfloat16", ["chat_template"] = "llama3", ["system_prompt"] = "Be brief.", ["max_context"] = "512",
            ["lora_rank"] = "16", ["lora_alpha"] = "32", ["lora_dropout"] = "0", ["lora_target_modules"] = "q_proj, v_proj",
        });
        Assert.Equal(ScalarType.BFloat16, student.Dtype);
        Assert.Equal("llama3", student.ChatTemplate);
        Assert.Equal("Be brief.", student.SystemPrompt);
        Assert.Equal(512, student.MaxContext);
        Assert.Equal(16, lora.Rank);
        Assert.Equal(32, lora.Alpha);
        Assert.Equal(0, lora.Dropout);
        Assert.Equal(["q_proj", "v_proj"], lora.TargetModules);

        var (defaults, defaultLora) = HfStudentSpecOptions.Parse(new Dictionary<string, string>());
        Assert.Null(defaults.Dtype);
        Assert.Equal(8, defaultLora.Rank);
        Assert.Equal(7, defaultLora.TargetModules.Count);
    }

    [Theory]
    [InlineData("lora_rnk", "1")]
    [InlineData("lora_rank", "0")]
    [InlineData("lora_rank", "eight")]
    [InlineData("lora_alpha", "-1")]
    [InlineData("lora_dropout", "1")]
    [InlineData("lora_target_modules", "q_proj,c_attn")]
    [InlineData("dtype", "float8")]
    [InlineData("chat_template", "jinja")]
    public void A_bad_option_is_named(string key, string value)
    {
        var ex = Assert.Throws<HfOptionException>(() => HfStudentSpecOptions.Parse(new Dictionary<string, string> { [key] = value }));
        Assert.Equal(key, ex.Key);
        Assert.Contains($"options[{key}]", ex.Message, StringComparison.Ordinal);
    }
}
