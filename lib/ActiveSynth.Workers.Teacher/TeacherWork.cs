using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.Prompts;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Workers.Teacher;

/// <summary>
/// One GenerateRequest → one GenerateResult (a sample with lineage, or a drop with its reason), with usage; shared by the loop's
/// chunks (stream or in-process) and Teacher.Generate. Deterministic for a request (sample id and call seeds come from it), and a
/// repeated request is answered from the response cache, so a redelivery neither changes nor re-pays the result.
/// </summary>
public sealed class TeacherWork(TeacherClients clients, SampleValidator validator, ISeenQuestions seen, PriceTable prices, TeacherMetrics metrics,
    ServiceIdentity identity, TimeProvider time, IOptions<TeacherServiceOptions> options, ILogger<TeacherWork> logger)
    : IWorkHandler<GenerateChunk, GenerateChunkResult>
{
    /// <summary>A chunk of a round: its requests run <c>Teacher:CallParallelism</c> at a time; the results keep the chunk's order.</summary>
    public async Task<GenerateChunkResult> HandleAsync(GenerateChunk chunk, string requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var results = new GenerateResult[chunk.Requests.Count];
        await Parallel.ForAsync(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Value.CallParallelism, CancellationToken = ct },
            async (i, token) => results[i] = await GenerateAsync(chunk.Requests[i], $"{requestId}#{chunk.Requests[i].Slot}", token).ConfigureAwait(false))
            .ConfigureAwait(false);
        var answer = new GenerateChunkResult { RunId = chunk.RunId, Round = chunk.Round, RequestId = requestId, Instance = identity.Instance };
        answer.Results.AddRange(results);
        logger.Generated(requestId, results.Count(r => r.Sample is not null), results.Length,
            results.Sum(r => r.Usage.PromptTokens + r.Usage.CompletionTokens), results.Count(r => r.Usage.Cached));
        return answer;
    }

    public async Task<GenerateResult> GenerateAsync(GenerateRequest request, string requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sampleId = request.SampleId.Length > 0 ? request.SampleId : requestId.Replace('/', '-');
        var result = new GenerateResult
        {
            RunId = request.RunId,
            Round = request.Round,
            RequestId = requestId,
            SeedId = request.Seed?.Id ?? "",
            Slot = request.Slot,
            Attempt = request.Attempt,
            ReservationId = request.Reserved?.ReservationId ?? "",
            Instance = identity.Instance,
        };
        var (client, model) = clients.Resolve(request.Teacher);
        string promptVersion;
        try
        {
            promptVersion = PromptLibrary.Resolve(request.Teacher?.PromptVersion);
        }
        catch (ArgumentException)
        {
            return Dropped(result, request, sampleId, new SampleDrop(SampleDropReason.TeacherError, "unknown prompt version"), CallUsage.None(model), []);
        }
        if (clients.ModelProblem(request.Teacher) is { } modelProblem)
        {
            return Dropped(result, request, sampleId, new SampleDrop(SampleDropReason.TeacherError, $"teacher.model: {modelProblem}"), CallUsage.None(model), []);
        }
        if (client is null || request.Seed is null)
        {
            var detail = client is null ? "no OpenAI-compatible endpoint is configured" : "the request has no seed";
            return Dropped(result, request, sampleId, new SampleDrop(SampleDropReason.TeacherError, detail), CallUsage.None(model), []);
        }

        var generator = new SampleGenerator(client, TaskFamilyRegistry.Default, validator, seen, prices, time);
        var outcome = await generator.GenerateAsync(new GenerationRequest(request.SkipDuplicateCheck ? "" : request.RunId, request.Seed.ToTaskItem(), sampleId,
            CappedCompletions(request.Teacher).ToSettings(model, promptVersion), request.CallKind.ToGenerationKind(), request.Question), ct).ConfigureAwait(false);
        metrics.Record(outcome.Usage);
        if (outcome.Sample is not { } sample)
        {
            return Dropped(result, request, sampleId, outcome.Drop!, outcome.Usage, outcome.CallIds);
        }
        metrics.Kept(sample.Family);
        var usage = outcome.Usage.ToContract();
        var lineage = request.Lineage?.Clone() ?? new SampleLineage();
        lineage.RunId = request.RunId;
        lineage.Round = request.Round;
        lineage.SeedId = request.Seed.Id;
        lineage.Slot = request.Slot;
        lineage.Attempt = request.Attempt;
        lineage.PromptVersion = promptVersion;
        lineage.Usage = usage;
        lineage.TeacherCallIds.Add(outcome.CallIds);
        lineage.CreatedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        result.Sample = new Sample
        {
            Id = sample.Id,
            Question = sample.Question,
            Answer = sample.Answer,
            Family = sample.Family,
            Difficulty = sample.Difficulty,
            Lineage = lineage,
        };
        result.Usage = usage;
        return result;
    }

    /// <summary>The spec with max_completion_tokens at most <c>Teacher:MaxCompletionTokens</c> (the same spec when it asks no more).</summary>
    private TeacherSpec? CappedCompletions(TeacherSpec? spec)
    {
        var max = options.Value.MaxCompletionTokens;
        if (spec is null || spec.MaxCompletionTokens <= max)
        {
            return spec;
        }
        var capped = spec.Clone();
        capped.MaxCompletionTokens = max;
        return capped;
    }

    private GenerateResult Dropped(GenerateResult result, GenerateRequest request, string sampleId, SampleDrop drop, CallUsage usage,
        IReadOnlyList<string> callIds)
    {
        metrics.Dropped(drop.Reason);
        var contractUsage = usage.ToContract();
        var record = new Drop
        {
            Reason = drop.Reason.ToContract(),
            Detail = drop.Detail,
            SeedId = request.Seed?.Id ?? "",
            Round = request.Round,
            Usage = contractUsage,
            RunId = request.RunId,
            Slot = request.Slot,
            Attempt = request.Attempt,
            SampleId = sampleId,
        };
        record.TeacherCallIds.Add(callIds);
        result.Drop = record;
        result.Usage = contractUsage;
        return result;
    }
}
