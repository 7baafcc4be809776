using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Usage;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Embedded;

/// <summary>
/// The default teacher: an <see cref="IChatClient"/> that needs no keys and no network. It reads the teacher
/// prompts (Prompts/README.md), writes a question of the seed's family at the seed's difficulty (±1 with
/// probability <see cref="EmbeddedTeacherOptions.JumpProbability"/>), solves questions exactly with the
/// family's solver and gets the final answer wrong with the configured error rate, judges difficulty and
/// answers, and reports token usage estimated from the text the way an endpoint would count it. Every reply
/// is a pure function of (options seed, call seed, messages): the same request always gets the same answer.
/// </summary>
public sealed class EmbeddedTeacherChatClient(TaskFamilyRegistry registry, EmbeddedTeacherOptions options) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new("activesynth-embedded", defaultModelId: options.ModelId);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var list = messages.ToList();
        var prompt = string.Join("\n", list.Select(m => m.Text));
        var rng = new Random(SeedFor(prompt, chatOptions?.Seed));
        var errorRate = chatOptions?.AdditionalProperties is { } props && props.TryGetValue(TeacherOptionKeys.ErrorRate, out var rate)
            ? Convert.ToDouble(rate, CultureInfo.InvariantCulture)
            : options.ErrorRate;
        var user = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? prompt;
        var reply = Reply(user, rng, errorRate);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, reply))
        {
            ModelId = chatOptions?.ModelId ?? options.ModelId,
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails
            {
                InputTokenCount = TokenEstimator.Estimate(list),
                OutputTokenCount = TokenEstimator.Estimate(reply),
                TotalTokenCount = TokenEstimator.Estimate(list) + TokenEstimator.Estimate(reply),
            },
        };
        return Task.FromResult(response);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private string Reply(string prompt, Random rng, double errorRate)
    {
        var familyName = PromptReader.Line(prompt, "Task family:");
        var family = familyName is not null ? registry.Find(familyName) : null;
        if (PromptReader.Block(prompt, PromptReader.SeedQuestion) is { } seed)
        {
            return WriteQuestion(family, prompt, seed, rng);
        }
        if (PromptReader.Block(prompt, PromptReader.QuestionToSolve) is { } question)
        {
            return Solve(family, question, rng, errorRate);
        }
        if (PromptReader.Block(prompt, PromptReader.QuestionToRate) is { } rated)
        {
            return RateDifficulty(family, rated);
        }
        if (PromptReader.Block(prompt, PromptReader.StudentAnswer) is { } studentAnswer
            && PromptReader.Block(prompt, "Reference answer:", PromptReader.StudentAnswer) is { } reference)
        {
            return JudgeAnswer(familyName, reference, studentAnswer);
        }
        return "I am the embedded teacher: I only understand ActiveSynth's teacher prompts.";
    }

    private string WriteQuestion(ITaskFamily? family, string prompt, string seed, Random rng)
    {
        if (family is null)
        {
            // Nothing procedural to write for an unknown (imported) family: echoing the seed makes the pipeline
            // drop it as a duplicate, which is the honest outcome.
            return seed;
        }
        var difficulty = int.TryParse(PromptReader.Line(prompt, "Difficulty:"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) && d > 0
            ? d
            : family.Solve(seed)?.Difficulty ?? family.MinDifficulty;
        return ProceduralTeacher.Like(family, difficulty, "embedded", rng, options.JumpProbability).Question;
    }

    private static string Solve(ITaskFamily? family, string question, Random rng, double errorRate)
    {
        var solution = family?.Solve(question);
        if (solution is null)
        {
            return "I cannot solve this question.";
        }
        // Draw once per call whatever the rate, so the answer text does not depend on how the rate is set.
        var wrong = rng.NextDouble() < errorRate;
        return wrong ? AnswerCorruptor.Corrupt(solution.Answer, rng) : solution.Answer;
    }

    private static string RateDifficulty(ITaskFamily? family, string question)
    {
        var solution = family?.Solve(question);
        if (family is null || solution is null)
        {
            var guess = Math.Min(1.0, question.Length / 400.0);
            return FormattableString.Invariant($"Score: {guess:0.00}\nReason: unknown family; rated by length.");
        }
        var span = family.MaxDifficulty - family.MinDifficulty;
        var score = span == 0 ? 0.5 : Math.Clamp((solution.Difficulty - family.MinDifficulty) / (double)span, 0, 1);
        return FormattableString.Invariant($"Score: {score:0.00}\nReason: difficulty {solution.Difficulty} of {family.MaxDifficulty} in family {family.Name}.");
    }

    private string JudgeAnswer(string? familyName, string reference, string studentAnswer)
    {
        // The family's grader, procedural or imported (gsm8k grades numbers); an unknown family is graded as text.
        var grader = registry.GraderFor(familyName ?? TaskFamilyRegistry.TextFamily);
        var correct = grader.IsCorrect(studentAnswer, reference);
        return correct
            ? "Correct: yes\nScore: 1\nReason: the final answer matches the reference."
            : "Correct: no\nScore: 0\nReason: the final answer differs from the reference.";
    }

    private int SeedFor(string prompt, long? callSeed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{options.Seed}|{callSeed ?? 0}|{prompt}")));
        return BitConverter.ToInt32(hash, 0);
    }
}
