using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Students;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Evaluation;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Scoring;
using ActiveSynth.Student.Training;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Workers.Training;

/// <summary>
/// The Training service's work, shared by the stream handler and gRPC: the embedded base (pretrained once per
/// configuration, cached), a round's finetuning + evaluation (<see cref="RoundTrainer"/>), and Evaluate. A Hugging Face
/// student (<c>student.kind</c> HF) takes the same steps with its own checkpoints: the base is the model at
/// <c>student.path</c> as it is, each round trains a LoRA adapter (<see cref="HfRoundTrainer"/>).
/// </summary>
public sealed partial class StudentTrainingService(
    ArtifactStore artifacts,
    CheckpointStore checkpoints,
    HfCheckpointStore hfCheckpoints,
    HfStudentCache hfStudents,
    StudentDevice device,
    TaskFamilyRegistry families,
    GraderLookup graders,
    IOptions<TrainingServiceOptions> options,
    TrainingMetrics metrics,
    ServiceIdentity identity,
    ILogger<StudentTrainingService> logger)
{
    private readonly TrainingServiceOptions _options = options.Value;

    /// <summary>Where round <paramref name="round"/> of <paramref name="runId"/> writes its checkpoint: fixed, so a redelivered request finds it.</summary>
    public static string CheckpointPath(string runId, int round) => $"runs/{runId}/checkpoints/r{round}";

    /// <summary>
    /// The base described by the options, with <paramref name="student"/>'s size fields (when non-zero) and its
    /// <c>base_families</c> option (when given) on top.
    /// </summary>
    public BaseStudentSpec BaseSpec(StudentSpec? student)
    {
        var model = new StudentModelConfig
        {
            DModel = student is { DModel: > 0 } ? student.DModel : _options.DModel,
            Layers = student is { Layers: > 0 } ? student.Layers : _options.Layers,
            Heads = student is { Heads: > 0 } ? student.Heads : _options.Heads,
            FeedForward = _options.FeedForward,
            Context = student is { ContextLength: > 0 } ? student.ContextLength : _options.Context,
        };
        return new BaseStudentSpec
        {
            Model = model,
            Families = (student is null ? null : EmbeddedStudentOptions.BaseFamiliesOf(student.Options))
                ?? [.. _options.BaseFamilies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            Difficulties = [.. _options.BaseDifficulties.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse)],
            Steps = _options.BaseSteps,
            BatchSize = _options.BaseBatchSize,
            LearningRate = _options.BaseLearningRate,
            Seed = _options.BaseSeed,
            ReplayPoolSize = _options.BaseReplayPoolSize,
        };
    }

    /// <summary>The base checkpoint for <paramref name="student"/>: from the artifact store cache, or pretrained now.</summary>
    public async Task<CheckpointInfo> EnsureBaseAsync(StudentSpec? student, CancellationToken ct)
    {
        var spec = BaseSpec(student);
        var cache = new BaseStudentCache(checkpoints);
        var result = await Task.Run(() => cache.GetOrCreateAsync(spec, [.. families.Families], device.Device, ct: ct), ct).ConfigureAwait(false);
        if (result.Pretrained)
        {
            metrics.Pretrained(result.Pretraining!.Duration.TotalSeconds);
            var parameters = long.Parse((await checkpoints.ReadPropertiesAsync(result.Checkpoint.Path, ct).ConfigureAwait(false))["parameters"],
                System.Globalization.CultureInfo.InvariantCulture);
            logger.BasePretrained(result.Checkpoint.Id, parameters, result.Pretraining.Duration.TotalSeconds, result.Pretraining.FinalLoss);
        }
        else
        {
            logger.BaseCached(result.Checkpoint.Id);
        }
        return result.Checkpoint;
    }

    /// <summary>The base checkpoint of a Hugging Face student: its model directory as it is, with its options. Bad fields are an invalid request.</summary>
    public async Task<CheckpointInfo> EnsureHfBaseAsync(StudentSpec student, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(student);
        if (string.IsNullOrWhiteSpace(student.Path))
        {
            throw new InvalidRequestException("student.path", "is required for a Hugging Face student (its model directory, relative to the artifact root)");
        }
        try
        {
            return await hfCheckpoints.EnsureBaseAsync(student.Path, student.Options, ct).ConfigureAwait(false);
        }
        catch (HfStudentSpecException ex)
        {
            throw new InvalidRequestException(ex.Field, ex.Reason);
        }
    }

    /// <summary>
    /// Handles a TrainRequest. Round 0 returns the base (pretrained once, cached) and its evaluation; round r ≥ 1
    /// finetunes into <see cref="CheckpointPath"/> unless that checkpoint already exists. Throws
    /// <see cref="InvalidRequestException"/>, <see cref="CheckpointException"/> for what retrying cannot fix.
    /// </summary>
    public async Task<TrainResult> TrainAsync(TrainRequest request, CancellationToken ct)
    {
        Validate(request);
        using var activity = TrainingMetrics.ActivitySource.StartActivity("train");
        activity?.SetTag("activesynth.run", request.RunId);
        activity?.SetTag("activesynth.round", request.Round);

        var baseInfo = await ResolveCheckpointAsync(request.BaseCheckpoint, "base_checkpoint", ct).ConfigureAwait(false)
            ?? (request.Student is { Kind: StudentKind.Hf } hf
                ? await EnsureHfBaseAsync(hf, ct).ConfigureAwait(false)
                : await EnsureBaseAsync(request.Student, ct).ConfigureAwait(false));
        var test = request.SkipEvaluation || request.TestSet is null || string.IsNullOrEmpty(request.TestSet.Path)
            ? null
            : await TrainingContractMapping.ReadItemsAsync(artifacts, request.TestSet, "test_set", samples: false, ct).ConfigureAwait(false);

        var result = new TrainResult { RunId = request.RunId, Round = request.Round, RequestId = request.RequestId, Instance = identity.Instance };
        if (request.Round == 0)
        {
            result.Checkpoint = baseInfo.ToContract();
            if (test is not null)
            {
                result.Evaluation = await EvaluateCheckpointAsync(baseInfo, test, includeItems: test.Count <= _options.IncludeEvalItemsUpTo, "train", ct)
                    .ConfigureAwait(false);
                result.EvalDuration = result.Evaluation.Duration;
            }
            metrics.Trained(double.NaN, 0, 0, "base");
            return result;
        }

        var dataset = await TrainingContractMapping.ReadItemsAsync(artifacts, request.Dataset, "dataset", samples: true, ct).ConfigureAwait(false);
        if (request.SampleCount > 0 && request.SampleCount != dataset.Count)
        {
            throw new InvalidRequestException("sample_count", $"is {request.SampleCount} but the dataset has {dataset.Count} samples");
        }
        if (dataset.Count == 0)
        {
            throw new InvalidRequestException("dataset", "has no samples");
        }
        var fromBase = request.Options?.Init == TrainInit.FromBase;
        var previous = fromBase ? null : await ResolveCheckpointAsync(request.PreviousCheckpoint, "previous_checkpoint", ct).ConfigureAwait(false);
        var settings = Settings(request, dataset.Count);
        var plan = new RoundTrainingPlan
        {
            OutputPath = CheckpointPath(request.RunId, request.Round),
            Metadata = new CheckpointMetadata
            {
                Id = $"{request.RunId}-r{request.Round}",
                Round = request.Round,
                RunId = request.RunId,
                ParentId = previous?.Id ?? baseInfo.Id,
                TrainedSamples = dataset.Count,
            },
            Base = baseInfo,
            Previous = previous,
            KeepOptimizerState = request.Options?.KeepOptimizerState ?? false,
            Dataset = dataset,
            Settings = settings,
            TestSet = test,
            Graders = graders,
            EvalBatchSize = _options.EvalBatchSize,
            MaxNewTokens = request.Student is { MaxNewTokens: > 0 } s ? s.MaxNewTokens : _options.MaxNewTokens,
        };
        var round = hfCheckpoints.IsHfCheckpoint(baseInfo.Path)
            ? await Task.Run(() => new HfRoundTrainer(hfStudents).TrainRoundAsync(plan, ct), ct).ConfigureAwait(false)
            : await Task.Run(() => new RoundTrainer(checkpoints, device.Device).TrainRoundAsync(plan, ct), ct).ConfigureAwait(false);

        result.Checkpoint = round.Checkpoint.ToContract();
        result.TrainLoss = round.Training.FinalLoss;
        result.LossCurve.AddRange(round.Training.LossCurve);
        result.TrainDuration = Duration.FromTimeSpan(round.Training.Duration);
        result.Steps = round.Training.Steps;
        result.TokensTrained = round.Training.TokensTrained;
        if (round.Evaluation is { } evaluation)
        {
            result.Evaluation = evaluation.ToContract(round.Checkpoint.Id, evaluation.Total <= _options.IncludeEvalItemsUpTo);
            result.EvalDuration = Duration.FromTimeSpan(evaluation.Duration);
            metrics.Evaluated(evaluation.Accuracy, evaluation.Duration.TotalSeconds, "train");
        }
        if (round.AlreadyExisted)
        {
            logger.RoundReused(request.RunId, request.Round, round.Checkpoint.Id);
            metrics.Trained(round.Training.FinalLoss, 0, 0, "reused");
        }
        else
        {
            metrics.Trained(round.Training.FinalLoss, round.Training.Duration.TotalSeconds, round.Training.TokensTrained, "trained");
            logger.RoundTrained(request.RunId, request.Round, round.Training.Steps, dataset.Count, round.Training.Duration.TotalSeconds,
                round.Training.FinalLoss, round.Evaluation?.Accuracy ?? double.NaN, round.Checkpoint.Id);
        }
        return result;
    }

    /// <summary>Evaluate: exact-match accuracy of a checkpoint on inline items or a JSONL test set.</summary>
    public async Task<EvaluateResponse> EvaluateAsync(EvaluateRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Checkpoint is null || string.IsNullOrWhiteSpace(request.Checkpoint.Path))
        {
            throw new InvalidRequestException("checkpoint.path", "is required");
        }
        if (request.Items.Count == 0 && (request.TestSet is null || string.IsNullOrWhiteSpace(request.TestSet.Path)))
        {
            throw new InvalidRequestException("items", "items or test_set must be given");
        }
        for (var i = 0; i < request.Items.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(request.Items[i].Question))
            {
                throw new InvalidRequestException($"items[{i}].question", "is required");
            }
        }
        var info = await ResolveCheckpointAsync(request.Checkpoint, "checkpoint", ct).ConfigureAwait(false);
        var items = request.Items.Count > 0
            ? [.. request.Items.Select(i => i.ToTaskItem())]
            : await TrainingContractMapping.ReadItemsAsync(artifacts, request.TestSet!, "test_set", samples: false, ct).ConfigureAwait(false);
        return await EvaluateCheckpointAsync(info!, items, request.IncludeItems, "grpc", ct, request.Student).ConfigureAwait(false);
    }

    private async Task<EvaluateResponse> EvaluateCheckpointAsync(CheckpointInfo info, IReadOnlyList<TaskItem> items, bool includeItems, string source,
        CancellationToken ct, StudentSpec? student = null)
    {
        var started = Stopwatch.GetTimestamp();
        var maxNew = student is { MaxNewTokens: > 0 } s ? s.MaxNewTokens : _options.MaxNewTokens;
        IScoringStudent model;
        IDisposable owned;
        if (hfCheckpoints.IsHfCheckpoint(info.Path))
        {
            var lease = await hfStudents.AcquireAsync(info.Path, info.Sha256, ct).ConfigureAwait(false);
            (model, owned) = (lease.Student, lease);
        }
        else
        {
            var loaded = await checkpoints.LoadAsync(info.Path, info.Sha256, device.Device, loadOptimizerState: false, ct).ConfigureAwait(false);
            (model, owned) = (new EmbeddedScoringStudent(loaded.Model), loaded.Model);
        }
        using var _ = owned;
        var report = await Task.Run(() => StudentEvaluator.Evaluate(model, items, graders, _options.EvalBatchSize, maxNew, ct), ct).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        metrics.Evaluated(report.Accuracy, seconds, source);
        logger.Evaluated(info.Id, report.Total, report.Accuracy, seconds);
        return report.ToContract(info.Id, includeItems);
    }

    /// <summary>The checkpoint a reference names (manifest read, sha256 checked), or null when the reference is unset.</summary>
    private async Task<CheckpointInfo?> ResolveCheckpointAsync(CheckpointRef? reference, string field, CancellationToken ct)
    {
        if (reference is null || string.IsNullOrEmpty(reference.Path))
        {
            return null;
        }
        var info = hfCheckpoints.IsHfCheckpoint(reference.Path)
            ? (await hfCheckpoints.ReadAsync(reference.Path, null, ct).ConfigureAwait(false)).Info
            : await checkpoints.ReadInfoAsync(reference.Path, ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(reference.Sha256) && !string.Equals(reference.Sha256, info.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidRequestException($"{field}.sha256", $"does not match the checkpoint at '{reference.Path}'");
        }
        return info;
    }

    private TrainingSettings Settings(TrainRequest request, int samples)
    {
        var o = request.Options ?? new TrainingOptions();
        var batch = o.BatchSize > 0 ? o.BatchSize : _options.BatchSize;
        var steps = o.Steps > 0 ? o.Steps
            : o.Epochs > 0 ? Math.Max(1, (int)Math.Ceiling(o.Epochs * samples * (1 - o.ReplayFraction) / batch))
            : _options.Steps;
        return new TrainingSettings
        {
            Steps = steps,
            LearningRate = o.LearningRate > 0 ? o.LearningRate : _options.LearningRate,
            Schedule = o.LrSchedule == "constant" ? LearningRateSchedule.Constant : LearningRateSchedule.WarmupCosine,
            WarmupSteps = o.WarmupSteps,
            BatchSize = batch,
            WeightDecay = o.WeightDecay > 0 ? o.WeightDecay : _options.WeightDecay,
            GradClip = o.GradClip > 0 ? o.GradClip : _options.GradClip,
            ReplayFraction = o.ReplayFraction,
            Seed = o.RandomSeed != 0 ? o.RandomSeed : DerivedSeed(request.RunId, request.Round),
        };
    }

    /// <summary>A stable seed from the run and round (string.GetHashCode is randomised per process, so FNV-1a).</summary>
    private static long DerivedSeed(string runId, int round)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes($"{runId}/{round}"))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return (long)(hash >> 1);
    }

    private static void Validate(TrainRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!SafeId().IsMatch(request.RunId) || request.RunId.Trim('.').Length == 0)
        {
            throw new InvalidRequestException("run_id", "is required and may hold only letters, digits, '.', '_' and '-'");
        }
        if (request.Round < 0)
        {
            throw new InvalidRequestException("round", "must not be negative");
        }
        if (request.Round > 0 && (request.Dataset is null || string.IsNullOrWhiteSpace(request.Dataset.Path)))
        {
            throw new InvalidRequestException("dataset.path", "is required for rounds after 0");
        }
        var o = request.Options;
        if (o is null)
        {
            return;
        }
        if (o.Steps < 0 || o.Epochs < 0 || o.BatchSize < 0 || o.WarmupSteps < 0)
        {
            throw new InvalidRequestException("options", "steps, epochs, batch_size and warmup_steps must not be negative");
        }
        if (o.LearningRate is < 0 or > 1)
        {
            throw new InvalidRequestException("options.learning_rate", "must be in [0, 1]");
        }
        if (o.ReplayFraction is < 0 or >= 1)
        {
            throw new InvalidRequestException("options.replay_fraction", "must be in [0, 1)");
        }
        if (o.LrSchedule is not ("" or "cosine" or "constant"))
        {
            throw new InvalidRequestException("options.lr_schedule", "must be 'cosine' or 'constant'");
        }
        if (o.WeightDecay is < 0 or > 1 || o.GradClip < 0)
        {
            throw new InvalidRequestException("options", "weight_decay must be in [0, 1] and grad_clip must not be negative");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,200}$")]
    private static partial Regex SafeId();
}
