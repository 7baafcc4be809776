using ActiveSynth.Core.Tasks;
using ActiveSynth.Core.Tasks.Graders;

namespace ActiveSynth.Core.Tests;

/// <summary>The <c>gsm8k</c> family of imported data: registered, with a grader that reads GSM8K's final answers as numbers.</summary>
public sealed class Gsm8kFamilyTests
{
    private static readonly IAnswerGrader Grader = TaskFamilyRegistry.Default.GraderFor("gsm8k");

    [Fact]
    public void Gsm8k_is_a_registered_family_of_imported_data_with_its_own_grader()
    {
        var registry = TaskFamilyRegistry.Default;

        Assert.True(registry.IsKnown("gsm8k"));
        Assert.True(registry.IsKnown("text"));
        Assert.False(registry.IsKnown("sonnets"));
        Assert.Same(Gsm8kAnswerGrader.Instance, registry.FindGrader("gsm8k"));
        Assert.Same(TextAnswerGrader.Instance, registry.FindGrader("text"));
        Assert.Null(registry.FindGrader("sonnets"));
        Assert.Equal(["gsm8k", "text"], registry.DatasetFamilyNames);
        Assert.Equal(["gsm8k", "text", "copy", "rev", "shift", "swap", "back", "rot", "arith", "logic", "list", "sum10", "bool", "minmax", "step10"], registry.AllNames);
        // It grades but does not generate: the procedural lookups do not return it, and Get says why.
        Assert.Null(registry.Find("gsm8k"));
        var e = Assert.Throws<KeyNotFoundException>(() => registry.Get("gsm8k"));
        Assert.Contains("family of imported data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registry_refuses_a_dataset_family_named_like_a_procedural_one()
    {
        var e = Assert.Throws<ArgumentException>(() => new TaskFamilyRegistry([Tasks.Families.StringTransformFamily.Copy], null,
            [new DatasetFamily("copy", TextAnswerGrader.Instance, "clash")]));
        Assert.Contains("'copy' is registered twice", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    // The real GSM8K answer shape: reasoning with calculator annotations, then "#### <n>".
    [InlineData("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 72", "72")]
    [InlineData("#### <<48/2=24>>24", "24")]               // an annotation on the answer line is not the answer
    [InlineData("#### <<48/2=24", null)]                  // a cut-off annotation holds no answer
    [InlineData("#### 1,234", "1234")]                     // thousands separators
    [InlineData("#### 1,234,567.50", "1234567.5")]
    [InlineData("#### $1,234.00", "1234")]                 // currency and trailing zeros
    [InlineData("#### 18 dollars", "18")]                  // trailing units
    [InlineData("#### 50%", "50")]
    [InlineData("#### 0.50", "0.5")]                       // decimals
    [InlineData("#### .5", "0.5")]
    [InlineData("#### -5", "-5")]                          // negatives, however the sign and currency are ordered
    [InlineData("#### -$5", "-5")]
    [InlineData("#### $-5", "-5")]
    [InlineData("#### \u22127", "-7")]                     // U+2212 MINUS SIGN
    [InlineData("#### 1,2345", "1")]                       // a comma not in groups of three is not a thousands separator
    [InlineData("So she earned $10.\nThe answer is 10.", "10")] // models that skip "####"
    [InlineData("#### many", null)]
    [InlineData("no final answer at all", null)]
    public void Final_answers_are_read_with_gsm8k_conventions(string output, string? expected) =>
        Assert.Equal(expected, Grader.ExtractFinalAnswer(output));

    [Theory]
    [InlineData("#### 72", "x\n#### 72", true)]
    [InlineData("#### 72.0", "#### 72", true)]             // compared as numbers, not as text
    [InlineData("#### $72.00 in total", "#### 72", true)]
    [InlineData("#### 1,000", "#### 1000", true)]
    [InlineData("#### -3", "#### -3.00", true)]
    [InlineData("#### 3", "#### -3", false)]
    [InlineData("#### 71.99", "#### 72", false)]
    [InlineData("#### 720", "#### 72", false)]
    [InlineData("#### seventy-two", "#### 72", false)]     // no number, no credit
    [InlineData("#### 72", "#### many", false)]            // a reference with no number matches nothing
    public void Answers_are_correct_when_their_numbers_are_equal(string output, string reference, bool correct) =>
        Assert.Equal(correct, Grader.IsCorrect(output, reference));

    [Fact]
    public void Numbers_too_long_for_a_decimal_are_no_answer_rather_than_an_overflow() =>
        Assert.Null(Gsm8kAnswerGrader.ParseNumber(new string('9', 40)));
}
