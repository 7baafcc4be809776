using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.Prompts;
using ActiveSynth.Teachers.Usage;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Workers.Teacher;

/// <summary>
/// A JudgeRequest → a JudgeResponse: one rating per item, in order, with the summed usage. The Teacher service's handler of
/// activesynth:judge:requests and of Teacher.Judge, and the in-process transport's.
/// </summary>
public sealed class JudgeWork(TeacherClients clients, PriceTable prices, TeacherMetrics metrics, TimeProvider time)
    : IWorkHandler<JudgeRequest, JudgeResponse>
{
    public Task<JudgeResponse> HandleAsync(JudgeRequest request, string requestId, CancellationToken ct) => JudgeAsync(request, ct);

    public async Task<JudgeResponse> JudgeAsync(JudgeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var response = new JudgeResponse
        {
            RunId = request.RunId,
            Round = request.Round,
            RequestId = request.RequestId,
            ReservationId = request.Reserved?.ReservationId ?? "",
        };
        var (client, model) = clients.Resolve(request.Teacher);
        if (client is null)
        {
            response.Failure = "no OpenAI-compatible endpoint is configured";
            response.Usage = CallUsage.None(model).ToContract();
            return response;
        }
        var settings = request.Teacher.ToSettings(model, PromptLibrary.Resolve(request.Teacher?.PromptVersion));
        var judge = new TeacherJudge(client, prices, time);
        var mode = request.Kind == JudgeKind.Answer ? JudgeMode.Answer : JudgeMode.Difficulty;
        var usage = CallUsage.None(model);
        for (var i = 0; i < request.Items.Count; i++)
        {
            var item = request.Items[i];
            // The call key names the round: request ids repeat from round to round (a chunk's positions), calls must not.
            var verdict = await judge.JudgeAsync(item.Item.ToTaskItem(), mode, item.StudentAnswer, settings,
                FormattableString.Invariant($"{request.Round}/{request.RequestId}:j{i}"), ct).ConfigureAwait(false);
            usage = usage.Plus(verdict.Usage);
            var rating = new JudgeRating { ItemId = item.Item.Id, Score = verdict.Score, Rationale = verdict.Rationale, Parsed = verdict.Parsed };
            if (verdict.Correct is { } correct)
            {
                rating.Correct = correct;
            }
            response.Ratings.Add(rating);
            if (verdict.Failure is not null && response.Failure.Length == 0)
            {
                response.Failure = verdict.Failure;
            }
        }
        metrics.Record(usage);
        response.Usage = usage.ToContract();
        response.Duration = Duration.FromTimeSpan(time.GetElapsedTime(started));
        return response;
    }
}
