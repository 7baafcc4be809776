using ActiveSynth.Core.Selection;
using System.Diagnostics;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Generation;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Scoring;

/// <summary>
/// The scorer's signals for a batch of items (docs/architecture.md, "The loop": score): greedy-decodes every item (KV cache), then
/// derives from the student's own answer its NLL (mean and total), the answer-token NLL, entropy and margin, and
/// correctness through the family's grader; optionally the reference-answer NLL (teacher-forced), the mean-pooled
/// final hidden state and the BADGE gradient embedding (one teacher-forced pass over prompt + own answer).
/// </summary>
public static class StudentScorer
{
    private const SignalNeeds NeedsDecoding = SignalNeeds.OwnNll | SignalNeeds.AnswerNll | SignalNeeds.Correctness
        | SignalNeeds.EntropyMargin | SignalNeeds.Embedding | SignalNeeds.GradientEmbedding;

    /// <summary>The largest BADGE embedding (vocab × hidden floats per item) the scorer computes: 64 MB per item.</summary>
    public const long MaxGradientEmbeddingFloats = 16L * 1024 * 1024;

    /// <summary>The most float32 logits the reference loss computes at once (64 MB): positions are taken in slices that fit.</summary>
    public const long LogitsSliceBytes = 64L << 20;

    public static ScoreBatchResult Score(StudentModel model, IReadOnlyList<TaskItem> items, SignalNeeds signals, ScoringSettings settings,
        GraderLookup? graders = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Score(new EmbeddedScoringStudent(model), items, signals, settings, graders, ct);
    }

    /// <summary>The same signals for any student behind the <see cref="IScoringStudent"/> seam (the embedded one, a Hugging Face checkpoint).</summary>
    public static ScoreBatchResult Score(IScoringStudent model, IReadOnlyList<TaskItem> items, SignalNeeds signals, ScoringSettings settings,
        GraderLookup? graders = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(settings);
        graders ??= GraderLookup.Default;
        if (signals == SignalNeeds.None)
        {
            signals = SignalNeeds.OwnNll;
        }
        if ((signals & SignalNeeds.GradientEmbedding) != 0 && (long)model.VocabSize * model.HiddenSize > MaxGradientEmbeddingFloats)
        {
            throw new NotSupportedException($"GradientEmbedding (BADGE) is vocab × hidden = {model.VocabSize} × {model.HiddenSize} floats per item for this "
                + $"student, more than the {MaxGradientEmbeddingFloats} this scorer returns; use another strategy (loss-high, coreset on Embedding) for it.");
        }
        var started = Stopwatch.GetTimestamp();
        // Batches in input order: Selection sends a round's items ordered by question length, before it cuts them into chunks.
        // Sorting here instead would make a request's scores depend on how it was chunked (a batch's padding changes the
        // float results in the last bits), and chunks must give the picks of one request.
        var results = new ItemScore[items.Count];
        long tokens = 0;
        for (var start = 0; start < items.Count; start += settings.BatchSize)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = items.Skip(start).Take(settings.BatchSize).ToList();
            tokens += ScoreChunk(model, chunk, signals, settings, graders, results.AsSpan(start, chunk.Count));
        }
        return new ScoreBatchResult(results, tokens, Stopwatch.GetElapsedTime(started));
    }

    private static long ScoreChunk(IScoringStudent model, List<TaskItem> items, SignalNeeds signals, ScoringSettings settings, GraderLookup graders,
        Span<ItemScore> output)
    {
        long tokens = 0;
        var scores = items.Select(i => new ItemScore { ItemId = i.Id, Family = i.Family }).ToArray();

        IReadOnlyList<DecodedSequence>? decoded = null;
        if ((signals & NeedsDecoding) != 0)
        {
            decoded = model.DecodeGreedy([.. items.Select(i => i.Question)], settings.MaxNewTokens, settings.UseKvCache);
            for (var i = 0; i < items.Count; i++)
            {
                var d = decoded[i];
                tokens += d.PromptTokens + d.ScoredTokenCount;
                var text = model.DecodeText(d.Tokens);
                var grader = graders.For(items[i].Family);
                scores[i] = scores[i] with
                {
                    StudentAnswer = text,
                    StudentFinalAnswer = grader.ExtractFinalAnswer(text),
                    TokenCount = d.ScoredTokenCount,
                    OwnMeanNll = Mean(d.LogProbs, null, negate: true),
                    OwnTotalNll = -d.LogProbs.Sum(x => (double)x),
                    AnswerTokenNll = d.InAnswer.Contains(true) ? Mean(d.LogProbs, d.InAnswer, negate: true) : Mean(d.LogProbs, null, negate: true),
                    MeanEntropy = Mean(d.Entropies, null, negate: false),
                    MeanMargin = Mean(d.Margins, null, negate: false),
                    Correct = grader.IsCorrect(text, items[i].Answer),
                };
            }
        }

        if ((signals & SignalNeeds.ReferenceNll) != 0)
        {
            var pairs = items.Select(model.ReferencePair).ToList();
            var (means, totals, real) = SequenceNll(model, pairs);
            tokens += real;
            for (var i = 0; i < items.Count; i++)
            {
                scores[i] = scores[i] with { ReferenceMeanNll = means[i], ReferenceTotalNll = totals[i] };
            }
        }

        if ((signals & (SignalNeeds.Embedding | SignalNeeds.GradientEmbedding)) != 0 && decoded is not null)
        {
            var pairs = items.Select((item, i) => model.OwnAnswerPair(item.Question, decoded[i])).ToList();
            var (embeddings, gradients, real) = Embeddings(model, pairs, (signals & SignalNeeds.GradientEmbedding) != 0);
            tokens += real;
            for (var i = 0; i < items.Count; i++)
            {
                scores[i] = scores[i] with
                {
                    Embedding = (signals & SignalNeeds.Embedding) != 0 ? embeddings[i] : null,
                    GradientEmbedding = gradients?[i],
                };
            }
        }
        scores.CopyTo(output);
        return tokens;
    }

    /// <summary>Mean and total NLL of each pair's target tokens, teacher-forced (reference-answer loss).</summary>
    public static (double[] Mean, double[] Total, long RealTokens) SequenceNll(StudentModel model, IReadOnlyList<(int[] Prompt, int[] Target)> pairs)
    {
        ArgumentNullException.ThrowIfNull(model);
        return SequenceNll(new EmbeddedScoringStudent(model), pairs);
    }

    /// <summary>Mean and total NLL of each pair's target tokens, teacher-forced, for any student.</summary>
    public static (double[] Mean, double[] Total, long RealTokens) SequenceNll(IScoringStudent model, IReadOnlyList<(int[] Prompt, int[] Target)> pairs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pairs);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = TeacherForcedBatch.Create(pairs, model.Device);
        var hidden = model.ForwardTeacherForced(batch);
        var (at, rows) = TargetPositions(batch);
        var targets = batch.Targets.reshape(-1).index_select(0, at);
        var nll = TargetNll(model, hidden.reshape(-1, hidden.shape[2]), at, targets);
        var total = zeros(pairs.Count, device: model.Device).index_add_(0, rows, nll, 1);
        var counts = zeros(pairs.Count, device: model.Device).index_add_(0, rows, ones_like(nll), 1);
        var totals = total.cpu().data<float>().ToArray();
        var mean = (total / counts.clamp_min(1)).cpu().data<float>().ToArray();
        return ([.. mean.Select(x => (double)x)], [.. totals.Select(x => (double)x)], batch.RealTokens);
    }

    /// <summary>
    /// The loss at each target position, with the LM head over slices of the positions: every target of a 256-item batch
    /// at once is 9 GB of logits for a 152k vocabulary. Each position's loss is its own row, so slicing changes nothing in it.
    /// </summary>
    private static Tensor TargetNll(IScoringStudent model, Tensor flatHidden, Tensor at, Tensor targets)
    {
        var slice = Math.Max(1, LogitsSliceBytes / (sizeof(float) * (long)model.VocabSize));
        var parts = new List<Tensor>();
        for (long from = 0; from < at.shape[0]; from += slice)
        {
            var count = Math.Min(slice, at.shape[0] - from);
            var logits = model.Logits(flatHidden.index_select(0, at.narrow(0, from, count)));
            parts.Add(nn.functional.cross_entropy(logits, targets.narrow(0, from, count), reduction: nn.Reduction.None));
        }
        return parts.Count == 1 ? parts[0] : parts.Count == 0 ? zeros(0, device: at.device) : cat(parts, 0);
    }

    /// <summary>Flat (B·T) indices of the positions that predict a target token, and the row each belongs to.</summary>
    private static (Tensor At, Tensor Rows) TargetPositions(TeacherForcedBatch batch)
    {
        var at = batch.Targets.reshape(-1).ne(TeacherForcedBatch.IgnoreIndex).nonzero().squeeze(1);
        return (at, at.div(batch.Targets.shape[1], rounding_mode: RoundingMode.floor));
    }

    /// <summary>
    /// Mean-pooled final hidden state over all real tokens of prompt + own answer, and the BADGE embedding: for every
    /// own-answer position t with final hidden state h_t and predictive distribution p_t, (p_t − onehot(argmax p_t)) ⊗ h_t
    /// (the gradient of the cross-entropy on the student's own prediction with respect to the LM head's weights),
    /// averaged over the own-answer positions; flattened row-major (vocab × d_model).
    /// </summary>
    private static (float[][] Embeddings, float[][]? Gradients, long RealTokens) Embeddings(IScoringStudent model,
        IReadOnlyList<(int[] Prompt, int[] Target)> pairs, bool gradients)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = TeacherForcedBatch.Create(pairs, model.Device);
        var hiddenState = model.ForwardTeacherForced(batch);
        var hidden = hiddenState.to(ScalarType.Float32);
        var rows = pairs.Count;
        var d = model.HiddenSize;
        // Real tokens by length, not by token id: a Hugging Face vocabulary has no id that never occurs in text.
        var time = batch.Inputs.shape[1];
        var lengths = tensor(pairs.Select(p => (long)(p.Prompt.Length + p.Target.Length)).ToArray(), device: model.Device);
        var realF = arange(time, device: model.Device).unsqueeze(0).lt(lengths.unsqueeze(1)).to(ScalarType.Float32).unsqueeze(-1);
        var pooled = (hidden * realF).sum(1) / realF.sum(1).clamp_min(1);
        var pooledData = pooled.cpu().data<float>().ToArray();
        var embeddings = Enumerable.Range(0, rows).Select(r => pooledData[(r * d)..((r + 1) * d)]).ToArray();
        if (!gradients)
        {
            return (embeddings, null, batch.RealTokens);
        }
        var vocab = model.VocabSize;
        var (at, rowOf) = TargetPositions(batch);
        var h = hidden.reshape(-1, d).index_select(0, at);
        var p = model.Logits(hiddenState.reshape(-1, hiddenState.shape[2]).index_select(0, at)).softmax(-1);
        var g = p - nn.functional.one_hot(p.argmax(-1), vocab).to(ScalarType.Float32);
        var rowIds = rowOf.cpu().data<long>().ToArray();
        var size = vocab * d;
        var result = new float[rows][];
        for (var r = 0; r < rows; r++)
        {
            using var rowScope = NewDisposeScope();
            var mine = Enumerable.Range(0, rowIds.Length).Where(i => rowIds[i] == r).Select(i => (long)i).ToArray();
            if (mine.Length == 0)
            {
                result[r] = new float[size];
                continue;
            }
            var index = tensor(mine, device: model.Device);
            var badge = g.index_select(0, index).t().matmul(h.index_select(0, index)) / mine.Length;
            result[r] = badge.reshape(size).cpu().data<float>().ToArray();
        }
        return (embeddings, result, batch.RealTokens);
    }

    private static double Mean(float[] values, bool[]? include, bool negate)
    {
        double sum = 0;
        var n = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (include is null || include[i])
            {
                sum += values[i];
                n++;
            }
        }
        var mean = n == 0 ? 0 : sum / n;
        return negate ? -mean : mean;
    }
}
