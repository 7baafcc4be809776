using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.Validation;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Tests;

public sealed class ValidationTests
{
    private static readonly TaskItem RevSeed = new("s", "rev", 2, "rev abcde", "e,d,c,b,a\n#### edcba");
    private static readonly SampleValidator Validator = new(TestTeachers.Registry, new ValidationOptions { MaxQuestionChars = 60, MaxSampleChars = 96, VerifyAnswers = true });

    [Theory]
    [InlineData("", SampleDropReason.Empty)]
    [InlineData("   ", SampleDropReason.Empty)]
    [InlineData("rev qwert\n#### trewq", SampleDropReason.Unparsable)]
    [InlineData("Rev ABCDE!", SampleDropReason.DuplicateOfSeed)]
    [InlineData("rev abcde", SampleDropReason.DuplicateOfSeed)]
    [InlineData("copy qwert", SampleDropReason.WrongFamily)]
    [InlineData("Write me a poem about cats, please, in the style of a limerick today", SampleDropReason.TooLong)]
    public void Bad_questions_are_dropped_with_their_reason(string reply, SampleDropReason reason) =>
        Assert.Equal(reason, Validator.CheckQuestion(reply, RevSeed, out _)?.Reason);

    [Theory]
    [InlineData("Question: rev qwert", "rev qwert")]
    [InlineData("```\nrev qwert\n```", "rev qwert")]
    [InlineData("\"rev qwert\"", "rev qwert")]
    public void Wrapped_questions_are_cleaned_and_kept(string reply, string question)
    {
        Assert.Null(Validator.CheckQuestion(reply, RevSeed, out var cleaned));
        Assert.Equal(question, cleaned);
    }

    [Theory]
    [InlineData("", SampleDropReason.Empty)]
    [InlineData("t,r,e,w,q and so it is trewq", SampleDropReason.NoFinalAnswer)]
    [InlineData("t,r,e,w,q\n#### ", SampleDropReason.NoFinalAnswer)]
    [InlineData("t,r,e,w,q\n#### 12345", SampleDropReason.Unparsable)]
    [InlineData("t,r,e,w,q\n#### trewx", SampleDropReason.VerifierRejected)]
    [InlineData("a very long chain of thought that goes on and on and on and on and on and on\n#### trewq", SampleDropReason.TooLong)]
    public void Bad_solutions_are_dropped_with_their_reason(string reply, SampleDropReason reason) =>
        Assert.Equal(reason, Validator.CheckSolution(reply, "rev qwert", "rev", out _)?.Reason);

    [Fact]
    public void A_good_solution_is_kept() => Assert.Null(Validator.CheckSolution("t,r,e,w,q\n#### trewq", "rev qwert", "rev", out _));

    [Fact]
    public async Task A_repeated_question_is_a_duplicate_of_an_earlier_sample_but_not_of_itself()
    {
        var client = new ScriptedClient("rev qwert", "t,r,e,w,q\n#### trewq");
        var generator = TestTeachers.Generator(client);
        var first = await generator.GenerateAsync(new GenerationRequest("run", RevSeed, "a", TestTeachers.Settings()), default);
        var redelivered = await generator.GenerateAsync(new GenerationRequest("run", RevSeed, "a", TestTeachers.Settings()), default);
        var other = await generator.GenerateAsync(new GenerationRequest("run", RevSeed, "b", TestTeachers.Settings()), default);
        var otherRun = await generator.GenerateAsync(new GenerationRequest("run-2", RevSeed, "b", TestTeachers.Settings()), default);
        Assert.NotNull(first.Sample);
        Assert.NotNull(redelivered.Sample);
        Assert.Equal(SampleDropReason.DuplicateOfSample, other.Drop?.Reason);
        Assert.NotNull(otherRun.Sample);
        Assert.True(other.Usage.TotalTokens > 0, "a dropped sample still paid for its calls");
    }

    /// <summary>Answers the question call and the solution call with fixed text.</summary>
    private sealed class ScriptedClient(string question, string solution) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var text = messages.Last().Text.Contains("Question to solve:", StringComparison.Ordinal) ? solution : question;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
            {
                Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
