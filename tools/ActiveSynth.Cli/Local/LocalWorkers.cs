using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Evaluation;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Scoring;
using ActiveSynth.Student.Training;
using ActiveSynth.Teachers.Embedded;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using TorchSharp;

namespace ActiveSynth.Cli.Local;

/// <summary>
/// The loop's workers in one process: the same student and teacher libraries the Scoring, Training and Teacher
/// services call, without Redis. This is the in-process yardstick for orchestration overhead and what
/// <c>activesynth run --local</c> and <c>compare</c> use. With <see cref="LocalRunConfig.HfStudent"/> the student is a
/// Hugging Face checkpoint with a LoRA adapter per round, through the same checkpoint store, cache and round trainer as
/// the services; scoring, training and evaluation share the cache's one copy of the base.
/// </summary>
public sealed class LocalWorkers : ILoopWorkers, IDisposable
{
    private readonly LocalRunConfig _config;
    private readonly IReadOnlyList<TaskItem> _testSet;
    private readonly TaskFamilyRegistry _families;
    private readonly torch.Device _device;
    private readonly CheckpointStore _checkpoints;
    private readonly StudentModelCache _models;
    private readonly RoundTrainer _trainer;
    private readonly SampleGenerator _teacher;
    private readonly TeacherCallSettings _teacherSettings;
    private readonly GraderLookup _graders;
    private readonly HfCheckpointStore? _hfCheckpoints;
    private readonly HfStudentCache? _hfStudents;
    private CheckpointInfo? _base;

    /// <summary>Scoring and evaluation batch of a Hugging Face student: its logits are vocabulary-wide.</summary>
    private const int HfBatchSize = 8;

    public LocalWorkers(LocalRunConfig config, ArtifactStore artifacts, IReadOnlyList<TaskItem> testSet, TaskFamilyRegistry families, torch.Device device)
    {
        _config = config;
        _testSet = testSet;
        _families = families;
        _device = device;
        _checkpoints = new CheckpointStore(artifacts);
        _models = new StudentModelCache(_checkpoints, device, capacity: 2);
        _trainer = new RoundTrainer(_checkpoints, device);
        _graders = new GraderLookup(families.Families);
        var embedded = new EmbeddedTeacherOptions { ErrorRate = config.TeacherErrorRate, Seed = config.Seed };
        _teacher = new SampleGenerator(new EmbeddedTeacherChatClient(families, embedded), families,
            new SampleValidator(families, new ValidationOptions()), new InMemorySeenQuestions(), PriceTable.Free);
        _teacherSettings = new TeacherCallSettings(embedded.ModelId, "v1", Seed: config.Seed, ErrorRate: config.TeacherErrorRate);
        if (config.HfStudent is { } hf)
        {
            _hfCheckpoints = new HfCheckpointStore(artifacts, hf.ModelsRoot);
            _hfStudents = new HfStudentCache(_hfCheckpoints, device);
        }
    }

    public async Task<TrainResult> PrepareBaseAsync(string key, CancellationToken ct)
    {
        if (_config.HfStudent is { } hf)
        {
            _base = await _hfCheckpoints!.EnsureBaseAsync(hf.Path, hf.Options, ct);
            return new TrainResult(Handle(_base), double.NaN, await EvaluateAsync(_base, ct));
        }
        var families = _config.Families.Select(_families.Get).ToList();
        var result = await new BaseStudentCache(_checkpoints).GetOrCreateAsync(_config.BaseSpec, families, _device, ct: ct);
        _base = result.Checkpoint;
        var evaluation = await EvaluateAsync(_base, ct);
        return new TrainResult(Handle(_base), result.Pretraining?.FinalLoss ?? double.NaN, evaluation);
    }

    public async Task<IReadOnlyList<CandidateSignals>> ScoreAsync(string key, CheckpointHandle checkpoint, IReadOnlyList<TaskItem> items, SignalKind needs, CancellationToken ct)
    {
        using var lease = await AcquireAsync(checkpoint.Path, checkpoint.Sha256, ct);
        var settings = _hfStudents is null ? new ScoringSettings() : new ScoringSettings { BatchSize = HfBatchSize };
        var scores = StudentScorer.Score(lease.Model, items, ToStudentSignals(needs), settings, _graders, ct);
        return [.. items.Zip(scores.Items, (item, score) => new CandidateSignals(item.Id, item.Family, item.Difficulty)
        {
            OwnNll = score.OwnMeanNll,
            AnswerNll = score.AnswerTokenNll,
            ReferenceNll = score.ReferenceMeanNll,
            Correct = score.Correct,
            Entropy = score.MeanEntropy,
            Margin = score.MeanMargin,
            Embedding = score.Embedding,
            GradientEmbedding = score.GradientEmbedding,
        })];
    }

    public async Task<GenerationResult> GenerateAsync(string key, GenerationWork work, CancellationToken ct)
    {
        // Not the run id: the teacher seeds each call from the sample id, and a run must be reproducible from its spec.
        var sampleId = $"r{work.Round}-s{work.Slot}";
        var outcome = await _teacher.GenerateAsync(new GenerationRequest(_config.RunId, work.Seed, sampleId, _teacherSettings), ct);
        var spent = new BudgetAmount(0, outcome.Usage.Calls, outcome.Usage.TotalTokens, outcome.Usage.CostUsd);
        return new GenerationResult(outcome.Sample, outcome.Drop?.Reason.ToString(), outcome.Drop?.Detail, spent, outcome.CallIds);
    }

    public async Task<TrainResult> TrainAsync(string key, int round, CheckpointHandle from, IReadOnlyList<KeptSample> samples, CancellationToken ct)
    {
        var @base = _base ?? throw new InvalidOperationException("The base checkpoint is not prepared.");
        var previous = from.Id == @base.Id ? null
            : _hfCheckpoints is not null ? (await _hfCheckpoints.ReadAsync(from.Path, from.Sha256, ct)).Info
            : await _checkpoints.ReadInfoAsync(from.Path, ct);
        var plan = new RoundTrainingPlan
        {
            OutputPath = $"runs/{_config.RunId}/round-{round:D3}",
            Metadata = new CheckpointMetadata
            {
                Id = $"{_config.RunId}-r{round}",
                Round = round,
                RunId = _config.RunId,
                ParentId = from.Id,
                TrainedSamples = samples.Count,
            },
            Base = @base,
            Previous = previous,
            KeepOptimizerState = true,
            Dataset = [.. samples.Select(s => s.Item)],
            Settings = _config.Training with { Seed = _config.Seed * 1000 + round, ReplayFraction = _hfCheckpoints is null ? _config.Training.ReplayFraction : 0 },
            TestSet = _testSet,
            Graders = _graders,
            EvalBatchSize = _hfCheckpoints is null ? 256 : HfBatchSize,
        };
        var result = _hfCheckpoints is null
            ? await _trainer.TrainRoundAsync(plan, ct)
            : await new HfRoundTrainer(_hfStudents!).TrainRoundAsync(plan, ct);
        var evaluation = result.Evaluation is { } report ? ToEvaluation(report) : await EvaluateAsync(result.Checkpoint, ct);
        return new TrainResult(Handle(result.Checkpoint), result.Training.FinalLoss, evaluation);
    }

    public void Dispose()
    {
        _models.Dispose();
        _hfStudents?.Dispose();
    }

    private async Task<Evaluation> EvaluateAsync(CheckpointInfo checkpoint, CancellationToken ct)
    {
        using var lease = await AcquireAsync(checkpoint.Path, checkpoint.Sha256, ct);
        return ToEvaluation(StudentEvaluator.Evaluate(lease.Model, _testSet, _graders, _hfStudents is null ? 256 : HfBatchSize, ct: ct));
    }

    /// <summary>The student at a checkpoint: the embedded model from its cache, or the kept HF base with that checkpoint's adapter.</summary>
    private async Task<ScoringStudentLease> AcquireAsync(string path, string sha256, CancellationToken ct)
    {
        if (_hfStudents is not null)
        {
            var hf = await _hfStudents.AcquireAsync(path, sha256, ct);
            return new ScoringStudentLease(hf.Student, hf.Checkpoint.Id, hf.CacheHit, hf);
        }
        var lease = await _models.AcquireAsync(path, sha256, ct);
        return new ScoringStudentLease(new EmbeddedScoringStudent(lease.Model), lease.Checkpoint.Id, lease.CacheHit, lease);
    }

    private static Evaluation ToEvaluation(EvaluationReport report) => new(report.Accuracy, report.FamilyAccuracy, report.Total);

    private static CheckpointHandle Handle(CheckpointInfo info) => new(info.Id, info.Path, info.Sha256);

    private static StudentSignals ToStudentSignals(SignalKind needs)
    {
        var signals = StudentSignals.None;
        if (needs.HasFlag(SignalKind.OwnNll)) signals |= StudentSignals.OwnAnswerNll;
        if (needs.HasFlag(SignalKind.AnswerNll)) signals |= StudentSignals.AnswerTokenNll;
        if (needs.HasFlag(SignalKind.ReferenceNll)) signals |= StudentSignals.ReferenceNll;
        if (needs.HasFlag(SignalKind.Correctness)) signals |= StudentSignals.Correctness;
        if (needs.HasFlag(SignalKind.EntropyMargin)) signals |= StudentSignals.EntropyMargin;
        if (needs.HasFlag(SignalKind.Embedding)) signals |= StudentSignals.Embedding;
        if (needs.HasFlag(SignalKind.GradientEmbedding)) signals |= StudentSignals.GradientEmbedding;
        // The selection summary reports how many picks were already correct: always grade.
        return signals | StudentSignals.Correctness;
    }
}
