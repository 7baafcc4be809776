using System.Globalization;
using System.Text.RegularExpressions;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Prompts;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Teachers.Usage;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Generation;

/// <summary>What the judge rates.</summary>
public enum JudgeMode
{
    /// <summary>How hard an item is (1 = hardest).</summary>
    Difficulty,

    /// <summary>Whether a student's answer is correct (1 = fully correct).</summary>
    Answer,
}

/// <summary>A judge's rating. Unparsable output gives score 0.5 and <see cref="Parsed"/> false; a failed call sets <see cref="Failure"/>.</summary>
public sealed record JudgeVerdict(double Score, bool? Correct, string Rationale, bool Parsed, CallUsage Usage, string? Failure);

/// <summary>The teacher as an LLM judge (judge-hard, lion strategies), with the judge prompts of Prompts/.</summary>
public sealed partial class TeacherJudge(IChatClient client, PriceTable prices, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<JudgeVerdict> JudgeAsync(TaskItem item, JudgeMode mode, string? studentAnswer, TeacherCallSettings settings, string callId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(settings);
        var messages = mode == JudgeMode.Difficulty
            ? TeacherPrompts.JudgeDifficulty(settings.PromptVersion, item)
            : TeacherPrompts.JudgeAnswer(settings.PromptVersion, item, studentAnswer ?? "");
        var started = _time.GetTimestamp();
        try
        {
            var response = await client.GetResponseAsync(messages, settings.ToChatOptions(callId), ct).ConfigureAwait(false);
            var usage = CallUsage.FromResponse(response, messages, settings.Model, prices, _time.GetElapsedTime(started));
            return Parse(response.Text, mode, usage);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var kind = e is TeacherCallException t ? t.Kind : e is OperationCanceledException ? "timeout" : FailureClassifier.Classify(e).Kind;
            var retries = e is TeacherCallException r ? r.Retries : 0;
            return new JudgeVerdict(0.5, null, "", false, CallUsage.Failed(settings.Model, retries, _time.GetElapsedTime(started)), kind);
        }
    }

    /// <summary>Reads "Score: x", "Correct: yes/no" and "Reason: ..." lines, in any order and case.</summary>
    public static JudgeVerdict Parse(string? text, JudgeMode mode, CallUsage usage)
    {
        text ??= "";
        var reason = Reason().Match(text) is { Success: true } r ? r.Groups[1].Value.Trim() : "";
        bool? correct = Correct().Match(text) is { Success: true } c ? c.Groups[1].Value.ToLowerInvariant() is "yes" or "true" : null;
        double? score = Score().Match(text) is { Success: true } s && double.TryParse(s.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? Math.Clamp(v, 0, 1)
            : null;
        if (mode == JudgeMode.Answer)
        {
            score ??= correct is { } yes ? (yes ? 1 : 0) : null;
            correct ??= score >= 0.5;
        }
        return score is { } value
            ? new JudgeVerdict(value, mode == JudgeMode.Answer ? correct : null, reason, true, usage, null)
            : new JudgeVerdict(0.5, null, reason, false, usage, null);
    }

    [GeneratedRegex(@"(?im)^\s*\**score\**\s*:\s*\**\s*([0-9]*\.?[0-9]+)")]
    private static partial Regex Score();

    [GeneratedRegex(@"(?im)^\s*\**correct\**\s*:\s*\**\s*(yes|no|true|false)")]
    private static partial Regex Correct();

    [GeneratedRegex(@"(?im)^\s*\**reason\**\s*:\s*(.+)$")]
    private static partial Regex Reason();
}
