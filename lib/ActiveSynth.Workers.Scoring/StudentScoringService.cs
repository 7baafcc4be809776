using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using System.Diagnostics;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Scoring;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Workers.Scoring;

/// <summary>
/// Scores a request's items and candidates with the named checkpoint (loaded through the LRU model cache) and turns
/// the student library's signals into the contract's ScoreResult. Shared by the stream handler and gRPC Score.
/// </summary>
public sealed class StudentScoringService(
    StudentModelCache models,
    HfCheckpointStore hfCheckpoints,
    HfStudentCache hfStudents,
    GraderLookup graders,
    IOptions<ScoringOptions> options,
    ScoringMetrics metrics,
    ServiceIdentity identity,
    ILogger<StudentScoringService> logger)
{
    private readonly ScoringOptions _options = options.Value;

    /// <summary>Throws <see cref="InvalidRequestException"/> naming the first bad field.</summary>
    public void Validate(ScoreRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Checkpoint is null)
        {
            throw new InvalidRequestException("checkpoint", "is required");
        }
        if (string.IsNullOrWhiteSpace(request.Checkpoint.Path))
        {
            throw new InvalidRequestException("checkpoint.path", "is required");
        }
        if (request.Checkpoint.Sha256.Length != 64 || !request.Checkpoint.Sha256.All(Uri.IsHexDigit))
        {
            throw new InvalidRequestException("checkpoint.sha256", "must be 64 hex digits (the weights' sha256)");
        }
        var count = request.Items.Count + request.Candidates.Count;
        if (count == 0)
        {
            throw new InvalidRequestException("items", "items or candidates must not both be empty");
        }
        if (count > _options.MaxItemsPerRequest)
        {
            throw new InvalidRequestException("items", $"at most {_options.MaxItemsPerRequest} items and candidates per request");
        }
        for (var i = 0; i < request.Items.Count; i++)
        {
            CheckItem($"items[{i}]", request.Items[i].Id, request.Items[i].Question);
        }
        for (var i = 0; i < request.Candidates.Count; i++)
        {
            CheckItem($"candidates[{i}]", request.Candidates[i].Id, request.Candidates[i].Question);
        }
        if (request.Student is { MaxNewTokens: < 0 })
        {
            throw new InvalidRequestException("student.max_new_tokens", "must not be negative");
        }

        static void CheckItem(string field, string id, string question)
        {
            if (string.IsNullOrEmpty(id))
            {
                throw new InvalidRequestException($"{field}.id", "is required");
            }
            if (string.IsNullOrWhiteSpace(question))
            {
                throw new InvalidRequestException($"{field}.question", "is required");
            }
        }
    }

    /// <summary>
    /// Scores the request. Throws <see cref="InvalidRequestException"/> for a bad request and
    /// <see cref="CheckpointException"/> when the checkpoint is missing or corrupted.
    /// </summary>
    public async Task<ScoreResult> ScoreAsync(ScoreRequest request, string source, CancellationToken ct)
    {
        Validate(request);
        using var activity = ScoringMetrics.ActivitySource.StartActivity("score");
        activity?.SetTag("activesynth.run", request.RunId);
        activity?.SetTag("activesynth.round", request.Round);
        activity?.SetTag("activesynth.checkpoint", request.Checkpoint.Id);
        var started = Stopwatch.GetTimestamp();
        using var student = await AcquireAsync(request.Checkpoint, ct).ConfigureAwait(false);
        List<TaskItem> items = [.. request.Items.Select(i => i.ToTaskItem()), .. request.Candidates.Select(c => c.ToTaskItem())];
        var settings = new ScoringSettings
        {
            BatchSize = _options.BatchSize,
            MaxNewTokens = request.Student is { MaxNewTokens: > 0 } s ? s.MaxNewTokens : _options.MaxNewTokens,
        };
        var signals = ScoringContractMapping.ToSignals(request.Signals);
        // Torch work is synchronous and CPU-bound: keep it off the caller's thread (gRPC/consumer loop).
        var scored = await Task.Run(() => StudentScorer.Score(student.Model, items, signals, settings, graders, ct), ct).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var result = new ScoreResult
        {
            RunId = request.RunId,
            Round = request.Round,
            RequestId = request.RequestId,
            CheckpointId = string.IsNullOrEmpty(request.Checkpoint.Id) ? student.CheckpointId : request.Checkpoint.Id,
            Duration = Duration.FromTimeSpan(elapsed),
            TokensProcessed = scored.TokensProcessed,
            Instance = identity.Instance,
        };
        result.Signals.AddRange(scored.Items.Select(s => s.ToContract()));
        var own = scored.Items.Where(s => s.OwnMeanNll.HasValue).Select(s => s.OwnMeanNll!.Value).DefaultIfEmpty(double.NaN).Average();
        metrics.Scored(items.Count, scored.TokensProcessed, elapsed.TotalSeconds, double.IsNaN(own) ? null : own, source);
        logger.Scored(items.Count, request.RunId, request.Round, result.CheckpointId, elapsed.TotalSeconds, scored.TokensProcessed, own);
        return result;
    }

    /// <summary>
    /// The student of a checkpoint: an embedded one through the LRU model cache; a Hugging Face one through the kept base
    /// model, which takes the checkpoint's adapter for the time of the lease (one HF request at a time).
    /// </summary>
    private async Task<ScoringStudentLease> AcquireAsync(CheckpointRef checkpoint, CancellationToken ct)
    {
        if (hfCheckpoints.IsHfCheckpoint(checkpoint.Path))
        {
            var hf = await hfStudents.AcquireAsync(checkpoint.Path, checkpoint.Sha256, ct).ConfigureAwait(false);
            metrics.CacheLookup(hf.CacheHit);
            if (!hf.CacheHit)
            {
                logger.CheckpointLoaded(hf.Checkpoint.Id, hf.Checkpoint.Sha256);
            }
            return new ScoringStudentLease(hf.Student, hf.Checkpoint.Id, hf.CacheHit, hf);
        }
        var lease = await models.AcquireAsync(checkpoint.Path, checkpoint.Sha256, ct).ConfigureAwait(false);
        metrics.CacheLookup(lease.CacheHit);
        if (!lease.CacheHit)
        {
            logger.CheckpointLoaded(lease.Checkpoint.Id, lease.Checkpoint.Sha256);
        }
        return new ScoringStudentLease(new EmbeddedScoringStudent(lease.Model), lease.Checkpoint.Id, lease.CacheHit, lease);
    }

    /// <summary>A ScoreResult that says why nothing was scored (no internals: field names and checkpoint paths only).</summary>
    public ScoreResult Failure(ScoreRequest request, string failure) => new()
    {
        RunId = request.RunId,
        Round = request.Round,
        RequestId = request.RequestId,
        CheckpointId = request.Checkpoint?.Id ?? "",
        Failure = failure,
        Instance = identity.Instance,
    };

    /// <summary>What a client may be told about a checkpoint problem.</summary>
    public static string Describe(CheckpointException error) => error.IsMissing
        ? error.Summary
        : $"checkpoint '{error.CheckpointPath}' is corrupted or is not the checkpoint asked for (sha256 mismatch or unreadable file)";
}
