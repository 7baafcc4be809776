using System.Reflection;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using Google.Protobuf.Reflection;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>Between the contract's messages and the Core loop's types.</summary>
public static class LoopContractMapping
{
    private static readonly (SignalNeeds Core, SignalKind Proto)[] SignalPairs =
    [
        (SignalNeeds.OwnNll, SignalKind.OwnAnswerNll),
        (SignalNeeds.AnswerNll, SignalKind.AnswerTokenNll),
        (SignalNeeds.ReferenceNll, SignalKind.ReferenceNll),
        (SignalNeeds.Correctness, SignalKind.Correctness),
        (SignalNeeds.EntropyMargin, SignalKind.EntropyMargin),
        (SignalNeeds.Embedding, SignalKind.Embedding),
        (SignalNeeds.GradientEmbedding, SignalKind.GradientEmbedding),
    ];

    public static SeedItem ToContract(this TaskItem item) => new()
    {
        Id = item.Id,
        Family = item.Family,
        Difficulty = item.Difficulty,
        Question = item.Question,
        Answer = item.Answer,
    };

    public static TaskItem ToTaskItem(this SeedItem item) => new(item.Id, item.Family, item.Difficulty, item.Question, item.Answer);

    public static TaskItem ToTaskItem(this Sample sample) => new(sample.Id, sample.Family, sample.Difficulty, sample.Question, sample.Answer);

    /// <summary>A kept sample as the Sample JSON line of a train dataset (lineage included).</summary>
    public static Sample ToContract(this KeptSample kept, string runId)
    {
        var lineage = new SampleLineage
        {
            RunId = runId,
            Round = kept.Round,
            SeedId = kept.SeedId,
            Strategy = kept.Strategy,
            StrategyScore = kept.StrategyScore,
        };
        lineage.TeacherCallIds.Add(kept.TeacherCallIds);
        return new Sample
        {
            Id = kept.Item.Id,
            Question = kept.Item.Question,
            Answer = kept.Item.Answer,
            Family = kept.Item.Family,
            Difficulty = kept.Item.Difficulty,
            Lineage = lineage,
        };
    }

    public static IEnumerable<SignalKind> ToContract(this SignalNeeds needs) =>
        SignalPairs.Where(p => (needs & p.Core) != 0).Select(p => p.Proto);

    public static SignalNeeds ToCore(this IEnumerable<SignalKind> signals) =>
        signals.Aggregate(SignalNeeds.None, (all, s) => all | SignalPairs.FirstOrDefault(p => p.Proto == s).Core);

    /// <summary>Signals of one item; <paramref name="item"/> supplies family and difficulty when the scorer left them out.</summary>
    public static CandidateSignals ToCore(this ScoreSignals s, TaskItem? item) =>
        new(s.ItemId, string.IsNullOrEmpty(s.Family) ? item?.Family ?? "" : s.Family, item?.Difficulty ?? 0)
        {
            OwnNll = s.HasOwnAnswerMeanNll ? s.OwnAnswerMeanNll : null,
            AnswerNll = s.HasAnswerTokenNll ? s.AnswerTokenNll : null,
            ReferenceNll = s.HasReferenceNll ? s.ReferenceNll : null,
            Correct = s.HasCorrect ? s.Correct : null,
            Entropy = s.HasMeanEntropy ? s.MeanEntropy : null,
            Margin = s.HasMeanMargin ? s.MeanMargin : null,
            Reward = s.HasReward ? s.Reward : null,
            JudgeDifficulty = s.HasJudgeScore ? s.JudgeScore : null,
            Embedding = s.Embedding.Count > 0 ? [.. s.Embedding] : null,
            GradientEmbedding = s.GradientEmbedding.Count > 0 ? [.. s.GradientEmbedding] : null,
        };

    public static ArtifactRef ToContract(this ArtifactInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new ArtifactRef { Path = info.Path, Sha256 = info.Sha256, SizeBytes = info.SizeBytes, MediaType = info.MediaType };
    }

    public static CheckpointRef ToContract(this CheckpointHandle handle) => new() { Id = handle.Id, Path = handle.Path, Sha256 = handle.Sha256 };

    public static CheckpointHandle ToHandle(this CheckpointRef reference) => new(reference.Id, reference.Path, reference.Sha256);

    public static Evaluation ToCore(this EvaluateResponse? evaluation) => evaluation is null
        ? new Evaluation(double.NaN, new Dictionary<string, double>(), 0)
        : new Evaluation(evaluation.Accuracy, evaluation.FamilyAccuracy.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), evaluation.Total);

    /// <summary>What teacher work cost, as budget (samples are counted by the loop): cached replies cost the usage they were made with.</summary>
    public static BudgetAmount ToBudget(this TeacherUsage? usage) => usage is null
        ? BudgetAmount.Zero
        : new BudgetAmount(0, usage.Calls, usage.PromptTokens + usage.CompletionTokens, usage.CostUsd);

    /// <summary>What the endpoint was paid for teacher work; a worker that reports no billed_* field billed what the work cost.</summary>
    public static TeacherBilling ToBilling(this TeacherUsage? usage) => usage is null
        ? TeacherBilling.Zero
        : new TeacherBilling(
            usage.HasBilledCalls ? usage.BilledCalls : usage.Calls,
            usage.HasBilledTokens ? usage.BilledTokens : usage.PromptTokens + usage.CompletionTokens,
            usage.HasBilledCostUsd ? usage.BilledCostUsd : usage.CostUsd,
            usage.CacheHits);

    /// <summary>The proto name of an enum value (<c>DROP_REASON_EMPTY</c>): the contract's key for maps keyed by an enum.</summary>
    public static string ProtoName<TEnum>(this TEnum value) where TEnum : struct, Enum =>
        typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();

    public static Contracts.V1.RunState ToContract(this RunStatus status) => status switch
    {
        RunStatus.Pending => Contracts.V1.RunState.Pending,
        RunStatus.Running => Contracts.V1.RunState.Running,
        RunStatus.Completed => Contracts.V1.RunState.Completed,
        RunStatus.Cancelled => Contracts.V1.RunState.Cancelled,
        RunStatus.Failed => Contracts.V1.RunState.Failed,
        _ => Contracts.V1.RunState.Unspecified,
    };

    public static RunStage ToContract(this LoopStage stage) => stage switch
    {
        LoopStage.Evaluate0 => RunStage.Evaluate,
        LoopStage.Score => RunStage.Score,
        LoopStage.Select => RunStage.Select,
        LoopStage.Generate => RunStage.Generate,
        LoopStage.Train => RunStage.Train,
        _ => RunStage.Unspecified,
    };
}
