using ActiveSynth.Core.Tasks.Graders;

namespace ActiveSynth.Core.Tests;

public sealed class GraderTests
{
    [Theory]
    [InlineData("Step one.\n#### 1,234", "1234")]
    [InlineData("#### $1234.00", "1234")]
    [InlineData("So the total is 1234.\nThe answer is 1234.", "1234")]
    [InlineData("#### 1234 apples in total", "1234")]
    [InlineData("#### 1234.\n\nLet me know if you need more help!", "1234")]
    [InlineData("The final answer is: $1,234.50", "1234.5")]
    [InlineData("#### -5", "-5")]
    [InlineData("Therefore \\boxed{42}.", "42")]
    [InlineData("Answer: 7", "7")]
    [InlineData("#### 0.50", "0.5")]
    public void Numeric_answers_are_extracted_from_real_world_formats(string output, string expected) =>
        Assert.Equal(expected, NumericAnswerGrader.Instance.ExtractFinalAnswer(output));

    [Theory]
    [InlineData("no marker here at all")]
    [InlineData("#### ")]
    [InlineData("#### many")]
    [InlineData("")]
    public void Numeric_grader_finds_nothing_without_a_number_answer(string output) =>
        Assert.Null(NumericAnswerGrader.Instance.ExtractFinalAnswer(output));

    [Theory]
    [InlineData("#### true", "true")]
    [InlineData("#### True", "true")]
    [InlineData("#### TRUE.", "true")]
    [InlineData("#### yes", "true")]
    [InlineData("The answer is Yes, because ...", "true")]
    [InlineData("#### false", "false")]
    [InlineData("#### No.", "false")]
    [InlineData("#### **False**", "false")]
    public void Boolean_answers_normalise(string output, string expected) =>
        Assert.Equal(expected, BooleanAnswerGrader.Instance.ExtractFinalAnswer(output));

    [Theory]
    [InlineData("r,d,w,j,r\n#### rdwjr", "rdwjr")]
    [InlineData("#### RDWJR.", "rdwjr")]
    [InlineData("#### rdwjr is the reversed word", "rdwjr")]
    public void Word_answers_normalise(string output, string expected) =>
        Assert.Equal(expected, WordAnswerGrader.Instance.ExtractFinalAnswer(output));

    [Fact]
    public void Exact_match_after_normalisation_decides_correctness()
    {
        Assert.True(NumericAnswerGrader.Instance.IsCorrect("blah\nThe answer is $1,234.00.", "x\n#### 1234"));
        Assert.False(NumericAnswerGrader.Instance.IsCorrect("#### 1235", "#### 1234"));
        Assert.False(NumericAnswerGrader.Instance.IsCorrect("no answer", "#### 1234"));
        Assert.True(BooleanAnswerGrader.Instance.IsCorrect("#### yes", "#### true"));
        Assert.False(WordAnswerGrader.Instance.IsCorrect("#### abc", "#### abd"));
    }

    [Theory]
    [InlineData("#### 72", "#### 72.0", true)]
    [InlineData("#### Paris.", "#### paris", true)]
    [InlineData("#### route 66", "#### Route  66", true)]
    [InlineData("#### 18 dollars", "#### 18", true)]
    [InlineData("#### London", "#### Paris", false)]
    public void Text_grader_handles_imported_answers(string output, string reference, bool correct) =>
        Assert.Equal(correct, TextAnswerGrader.Instance.IsCorrect(output, reference));
}
