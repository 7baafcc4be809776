using System.Diagnostics;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Prompts;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Generation;

/// <summary>
/// Step 3 of the loop for one pick: call 1 writes a new question like the seed, call 2 solves it; both replies
/// are validated and a failure becomes a drop with a reason. Usage is summed over the calls that were made,
/// so the budget pays for dropped samples too. Only the caller's cancellation escapes as an exception.
/// </summary>
public sealed class SampleGenerator(IChatClient client, TaskFamilyRegistry registry, SampleValidator validator, ISeenQuestions seen,
    PriceTable prices, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<GenerationOutcome> GenerateAsync(GenerationRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = request.Settings;
        var usage = CallUsage.None(settings.Model);
        var callIds = new List<string>();
        string question;
        if (request.Kind == GenerationKind.Solution)
        {
            question = request.Question ?? "";
            if (string.IsNullOrWhiteSpace(question))
            {
                return Outcome(null, new SampleDrop(SampleDropReason.Empty, "no question to solve"));
            }
        }
        else
        {
            var callId = request.SampleId + ":q";
            callIds.Add(callId);
            var reply = await CallAsync(TeacherPrompts.Question(settings.PromptVersion, request.Seed), settings, callId, ct).ConfigureAwait(false);
            usage = usage.Plus(reply.Usage);
            if (reply.Failure is not null)
            {
                return Outcome(null, reply.Failure);
            }
            if (validator.CheckQuestion(reply.Text, request.Seed, out question) is { } questionDrop)
            {
                return Outcome(null, questionDrop);
            }
        }

        var answer = "";
        if (request.Kind != GenerationKind.Question)
        {
            var callId = request.SampleId + ":s";
            callIds.Add(callId);
            var reply = await CallAsync(TeacherPrompts.Solution(settings.PromptVersion, request.Seed, question), settings, callId, ct).ConfigureAwait(false);
            usage = usage.Plus(reply.Usage);
            if (reply.Failure is not null)
            {
                return Outcome(null, reply.Failure);
            }
            if (validator.CheckSolution(reply.Text, question, request.Seed.Family, out answer) is { } solutionDrop)
            {
                return Outcome(null, solutionDrop);
            }
        }

        // Checked last, so a sample dropped for another reason does not claim its question.
        if (!string.IsNullOrEmpty(request.Scope)
            && !await seen.TryClaimAsync(request.Scope, QuestionHash.Compute(question), request.SampleId, ct).ConfigureAwait(false))
        {
            return Outcome(null, new SampleDrop(SampleDropReason.DuplicateOfSample, "the question repeats an earlier sample of the run"));
        }
        var difficulty = registry.Find(request.Seed.Family)?.Solve(question)?.Difficulty ?? request.Seed.Difficulty;
        return Outcome(new TaskItem(request.SampleId, request.Seed.Family, difficulty, question, answer), null);

        GenerationOutcome Outcome(TaskItem? sample, SampleDrop? drop) => new(sample, drop, usage, callIds, settings.PromptVersion);
    }

    private async Task<Reply> CallAsync(IList<ChatMessage> messages, TeacherCallSettings settings, string callId, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        using var activity = TeacherTelemetry.StartCall(callId, settings);
        try
        {
            var response = await client.GetResponseAsync(messages, settings.ToChatOptions(callId), ct).ConfigureAwait(false);
            var usage = CallUsage.FromResponse(response, messages, settings.Model, prices, _time.GetElapsedTime(started));
            TeacherTelemetry.Record(activity, usage);
            return new Reply(response.Text, usage, null);
        }
        catch (TeacherCallException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Kind);
            return new Reply(null, CallUsage.Failed(settings.Model, e.Retries, _time.GetElapsedTime(started)),
                new SampleDrop(SampleDropReason.TeacherError, e.Kind));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Without the retry layer, failures arrive raw: classify them the same way; never pass their text on.
            var kind = e is OperationCanceledException ? "timeout" : FailureClassifier.Classify(e).Kind;
            activity?.SetStatus(ActivityStatusCode.Error, kind);
            return new Reply(null, CallUsage.Failed(settings.Model, 0, _time.GetElapsedTime(started)), new SampleDrop(SampleDropReason.TeacherError, kind));
        }
    }

    private sealed record Reply(string? Text, CallUsage Usage, SampleDrop? Failure);
}
