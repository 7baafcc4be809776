using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.Validation;

namespace ActiveSynth.Teachers.Tests;

public sealed class EmbeddedTeacherTests
{
    [Fact]
    public async Task Same_request_gives_the_same_sample_and_another_slot_a_different_one()
    {
        var seed = TestTeachers.Seed("arith", 3);
        async Task<GenerationOutcome> Run(string sampleId) =>
            await TestTeachers.Generator(TestTeachers.Embedded()).GenerateAsync(new GenerationRequest("run", seed, sampleId, TestTeachers.Settings("embedded-teacher")), default);

        var a = await Run("s-1");
        var b = await Run("s-1");
        var c = await Run("s-2");
        Assert.NotNull(a.Sample);
        Assert.Equal(a.Sample, b.Sample);
        Assert.NotEqual(a.Sample!.Question, c.Sample!.Question);
        Assert.Equal(["s-1:q", "s-1:s"], a.CallIds);
    }

    [Theory]
    [InlineData("rev", 2)]
    [InlineData("logic", 3)]
    [InlineData("arith", 5)]
    [InlineData("list", 2)]
    public async Task Questions_keep_the_family_and_stay_near_the_seeds_difficulty(string family, int difficulty)
    {
        var generator = TestTeachers.Generator(TestTeachers.Embedded());
        var seed = TestTeachers.Seed(family, difficulty);
        var same = 0;
        const int n = 200;
        for (var i = 0; i < n; i++)
        {
            var outcome = await generator.GenerateAsync(new GenerationRequest($"run-{i}", seed, $"s-{i}", TestTeachers.Settings("embedded-teacher")), default);
            Assert.Null(outcome.Drop);
            Assert.Equal(family, outcome.Sample!.Family);
            Assert.InRange(outcome.Sample.Difficulty, difficulty - 1, difficulty + 1);
            same += outcome.Sample.Difficulty == difficulty ? 1 : 0;
            Assert.True(outcome.Usage.PromptTokens > 50, "the prompts are a few hundred characters");
            Assert.True(outcome.Usage.CompletionTokens > 0);
            Assert.False(outcome.Usage.Estimated);
        }
        Assert.InRange(same / (double)n, 0.83, 0.97);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public async Task Error_rate_is_honoured_within_tolerance(double errorRate)
    {
        var generator = TestTeachers.Generator(TestTeachers.Embedded());
        var wrong = 0;
        const int n = 400;
        for (var i = 0; i < n; i++)
        {
            var seed = TestTeachers.Seed(i % 2 == 0 ? "shift" : "arith", 2, i);
            var outcome = await generator.GenerateAsync(new GenerationRequest("", seed, $"s-{i}", TestTeachers.Settings("embedded-teacher", errorRate)), default);
            var family = TestTeachers.Registry.Get(seed.Family);
            var sample = outcome.Sample!;
            wrong += family.Grader.IsCorrect(sample.Answer, family.Solve(sample.Question)!.Answer) ? 0 : 1;
        }
        Assert.InRange(wrong / (double)n, errorRate - 0.07, errorRate + 0.07);
    }

    [Fact]
    public async Task An_unknown_family_is_dropped_as_a_duplicate_of_the_seed()
    {
        var seed = new Core.Tasks.TaskItem("g1", "gsm8k", 0, "Natalia sold 48 clips. How many?", "#### 48");
        var outcome = await TestTeachers.Generator(TestTeachers.Embedded()).GenerateAsync(new GenerationRequest("run", seed, "s", TestTeachers.Settings("embedded-teacher")), default);
        Assert.Equal(SampleDropReason.DuplicateOfSeed, outcome.Drop!.Reason);
        Assert.Single(outcome.CallIds);
    }

    [Fact]
    public async Task The_embedded_judge_rates_difficulty_and_answers()
    {
        var judge = new TeacherJudge(TestTeachers.Embedded(), TestTeachers.Prices);
        var easy = await judge.JudgeAsync(TestTeachers.Seed("rev", 1), JudgeMode.Difficulty, null, TestTeachers.Settings("embedded-teacher"), "j1", default);
        var hard = await judge.JudgeAsync(TestTeachers.Seed("rev", 4), JudgeMode.Difficulty, null, TestTeachers.Settings("embedded-teacher"), "j2", default);
        Assert.True(easy.Parsed && hard.Parsed);
        Assert.Equal(0, easy.Score);
        Assert.Equal(1, hard.Score);

        var item = TestTeachers.Seed("arith", 2);
        var right = await judge.JudgeAsync(item, JudgeMode.Answer, "blah\nThe answer is " + TestTeachers.Registry.Get("arith").Grader.ExtractFinalAnswer(item.Answer), TestTeachers.Settings("embedded-teacher"), "j3", default);
        var wrong = await judge.JudgeAsync(item, JudgeMode.Answer, "#### 99999", TestTeachers.Settings("embedded-teacher"), "j4", default);
        Assert.True(right.Correct);
        Assert.Equal(1, right.Score);
        Assert.False(wrong.Correct);
    }

    [Theory]
    [InlineData("Score: 0.8\nReason: long chain", 0.8, true)]
    [InlineData("**Score:** 0.25", 0.25, true)]
    [InlineData("It is hard.", 0.5, false)]
    public void Judge_output_parses_or_falls_back(string text, double score, bool parsed)
    {
        var verdict = TeacherJudge.Parse(text, JudgeMode.Difficulty, Usage.CallUsage.None("m"));
        Assert.Equal(score, verdict.Score);
        Assert.Equal(parsed, verdict.Parsed);
    }
}
