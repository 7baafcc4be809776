using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Generation;

/// <summary>
/// The model-independent part of batched greedy decoding, shared by the embedded student and Hugging Face checkpoints.
/// Prompts are left-padded with per-row positions (each row's first real token sits at position 0), pads are masked
/// out as keys, and every position may attend to itself so an all-pad query row never turns into NaN. With the KV
/// cache each step feeds one token per row; without it every step recomputes the whole sequence (the reference the
/// cache is tested against). A row stops at its terminator, after <c>maxNewTokens</c>, or at the context. Tokens
/// after the text <c>####</c> are marked as the final answer (<see cref="DecodedSequence.InAnswer"/>). Per step only
/// the argmax and the forward pass run; the steps' statistics are computed together (<see cref="StepStatistics"/>).
/// </summary>
internal abstract class BatchedGreedyDecoding(nn.Module network, Device device, int context)
{
    protected Device Device { get; } = device;

    /// <summary>The token that fills a left-padded prompt (masked out as a key, so any id works).</summary>
    protected abstract long PadToken(int[] prompt);

    /// <summary>True when <paramref name="token"/> ends a row (<paramref name="answerSeen"/>: its <c>####</c> was produced).</summary>
    protected abstract bool IsTerminator(int token, bool answerSeen);

    /// <summary>The characters of one token (a BPE token may hold several <c>#</c>).</summary>
    protected abstract string Text(int token);

    /// <summary>Whether <see cref="DecodedSequence.TerminatorId"/> is filled (a student with several terminators).</summary>
    protected abstract bool RecordsTerminator { get; }

    /// <summary>Opens the KV cache of one batch; the decoder disposes it.</summary>
    protected abstract IDisposable StartCache(int batch, long promptLength, long capacity);

    /// <summary>Logits (B,V) at position <paramref name="select"/> of a forward over whole rows (B,T); <paramref name="cache"/> is filled when given.</summary>
    protected abstract Tensor Forward(Tensor input, Tensor positions, Tensor mask, IDisposable? cache, long select);

    /// <summary>Logits (B,V) of one new token per row (B,1) at key index <paramref name="at"/>, against the cache.</summary>
    protected abstract Tensor Step(Tensor input, Tensor positions, Tensor mask, IDisposable cache, long at, long capacity);

    public IReadOnlyList<DecodedSequence> Decode(IReadOnlyList<int[]> prompts, int maxNewTokens, bool useKvCache)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
        {
            return [];
        }
        if (prompts.Any(p => p.Length == 0))
        {
            throw new ArgumentException("Every prompt needs at least one token.", nameof(prompts));
        }
        var batch = prompts.Count;
        var promptLength = prompts.Max(p => p.Length);
        if (promptLength > context)
        {
            throw new ArgumentException($"A prompt of {promptLength} tokens does not fit the context ({context}).", nameof(prompts));
        }
        var steps = Math.Min(maxNewTokens, context - promptLength);
        if (steps <= 0)
        {
            return [.. prompts.Select(p => new DecodedSequence([], false, [], [], [], [], p.Length))];
        }
        var capacity = promptLength + steps;
        var wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (prompt, promptPositions, valid) = LeftPadded(prompts, promptLength, capacity);

            var tokenIds = new long[batch * steps];
            var statistics = new StepStatistics(batch, steps, tokenIds, Device);
            using var cache = useKvCache ? StartCache(batch, promptLength, capacity) : null;
            var logits = Forward(prompt, promptPositions, PrefixMask(valid, promptLength), cache, promptLength - 1);
            var current = promptPositions.select(1, promptLength - 1);
            var rows = new RowState[batch];
            var live = batch;
            for (var s = 0; s < steps; s++)
            {
                using var stepScope = NewDisposeScope();
                var token = logits.argmax(-1);
                using var ids = token.cpu().data<long>();
                for (var b = 0; b < batch; b++)
                {
                    var id = (int)ids[b];
                    tokenIds[b * steps + s] = id;
                    if (Advance(ref rows[b], id))
                    {
                        live--;
                    }
                }
                statistics.Hold(logits);
                if (live == 0 || s == steps - 1)
                {
                    break;
                }
                var at = promptLength + s;
                current = (current + 1).MoveToOuterDisposeScope();
                Tensor next;
                if (cache is not null)
                {
                    var stepMask = valid.narrow(1, 0, at + 1).unsqueeze(1).unsqueeze(1);
                    next = Step(token.unsqueeze(1), current.unsqueeze(1), stepMask, cache, at, capacity);
                }
                else
                {
                    var generated = tensor(tokenIds, [batch, steps], device: Device).narrow(1, 0, s + 1);
                    var sequence = cat([prompt, generated], 1);
                    var positions = cat([promptPositions, current.unsqueeze(1) - arange(s, -1, -1, device: Device).unsqueeze(0)], 1);
                    next = Forward(sequence, positions, PrefixMask(valid, at + 1), null, at);
                }
                logits = next.MoveToOuterDisposeScope();
            }
            statistics.Summarize();
            return Collect(prompts, steps, tokenIds, statistics, rows);
        }
        finally
        {
            network.train(wasTraining);
        }
    }

    /// <summary>
    /// Left-padded prompt, per-row positions, and key validity over the whole (prompt + generated) span: generated
    /// positions are valid from the start, a step only ever looks at keys up to its own position.
    /// </summary>
    private (Tensor Prompt, Tensor Positions, Tensor Valid) LeftPadded(IReadOnlyList<int[]> prompts, int promptLength, int capacity)
    {
        var batch = prompts.Count;
        var xData = new long[batch * promptLength];
        var posData = new long[batch * promptLength];
        var validData = new bool[batch * capacity];
        for (var b = 0; b < batch; b++)
        {
            var pad = promptLength - prompts[b].Length;
            var padToken = PadToken(prompts[b]);
            for (var t = 0; t < capacity; t++)
            {
                if (t < promptLength)
                {
                    xData[b * promptLength + t] = t >= pad ? prompts[b][t - pad] : padToken;
                    posData[b * promptLength + t] = Math.Max(0, t - pad);
                }
                validData[b * capacity + t] = t >= pad;
            }
        }
        return (tensor(xData, [batch, promptLength], device: Device), tensor(posData, [batch, promptLength], device: Device),
            tensor(validData, [batch, capacity], device: Device));
    }

    /// <summary>(B,1,T,T): causal and key-not-pad, or the diagonal (a pad query attends to itself).</summary>
    private Tensor PrefixMask(Tensor valid, long length)
    {
        var causal = ones(length, length, ScalarType.Bool, device: Device).tril().unsqueeze(0);
        var keys = valid.narrow(1, 0, length).unsqueeze(1);
        return causal.logical_and(keys).logical_or(eye(length, dtype: ScalarType.Bool, device: Device).unsqueeze(0)).unsqueeze(1);
    }

    /// <summary>Takes a row's next token; true when it terminates the row now.</summary>
    private bool Advance(ref RowState row, int token)
    {
        if (row.Done)
        {
            return false;
        }
        row.Count++;
        if (IsTerminator(token, row.Seen))
        {
            row.Done = true;
            return true;
        }
        if (!row.Seen)
        {
            // The run of '#' is counted across token boundaries.
            foreach (var c in Text(token))
            {
                row.HashRun = c == '#' ? row.HashRun + 1 : 0;
                if (row.HashRun >= 4)
                {
                    row.Seen = true;
                    row.AnswerStart = row.Count;
                    break;
                }
            }
        }
        return false;
    }

    private DecodedSequence[] Collect(IReadOnlyList<int[]> prompts, int steps, long[] tok, StepStatistics statistics, RowState[] rows)
    {
        var batch = prompts.Count;
        var (chosenLp, ent, mar) = (statistics.ChosenLogProbs, statistics.Entropies, statistics.Margins);
        var result = new DecodedSequence[batch];
        for (var b = 0; b < batch; b++)
        {
            var row = b * steps;
            var count = rows[b].Count;
            var textCount = rows[b].Done ? count - 1 : count;
            var ids = new int[textCount];
            for (var i = 0; i < textCount; i++)
            {
                ids[i] = (int)tok[b * steps + i];
            }
            var inAnswer = new bool[count];
            if (rows[b].Seen)
            {
                Array.Fill(inAnswer, true, rows[b].AnswerStart, count - rows[b].AnswerStart);
            }
            int? terminator = RecordsTerminator && rows[b].Done ? (int)tok[b * steps + count - 1] : null;
            result[b] = new DecodedSequence(ids, rows[b].Done, chosenLp[row..(row + count)], ent[row..(row + count)], mar[row..(row + count)],
                inAnswer, prompts[b].Length, terminator);
        }
        return result;
    }

    /// <summary>
    /// Each step's chosen-token log-probability, entropy and top-2 margin, per row. The steps' logits are held and
    /// summarised together (a few operators for all steps, not per step), but only up to <see cref="HeldBytes"/>: a
    /// Hugging Face vocabulary of 152k at batch 256 is 155 MB of logits a step, 10 GB for 64 steps, so there they are
    /// summarised every step and let go. The per-row arithmetic is the same either way.
    /// </summary>
    private sealed class StepStatistics(int batch, int steps, long[] tokenIds, Device device)
    {
        public const long HeldBytes = 64L << 20;

        private readonly List<Tensor> _held = [];
        private long _heldBytes;
        private int _first;

        public float[] ChosenLogProbs { get; } = new float[batch * steps];

        public float[] Entropies { get; } = new float[batch * steps];

        public float[] Margins { get; } = new float[batch * steps];

        /// <summary>Keeps the step's logits (B,V), whose token is already in the ids; summarises once the held ones reach the limit.</summary>
        public void Hold(Tensor logits)
        {
            _held.Add(logits);
            _heldBytes += logits.numel() * logits.ElementSize;
            if (_heldBytes >= HeldBytes)
            {
                Summarize();
            }
        }

        public void Summarize()
        {
            if (_held.Count == 0)
            {
                return;
            }
            using (NewDisposeScope())
            {
                var count = _held.Count;
                var lp = stack(_held, 1).log_softmax(-1);
                var chosen = tensor(tokenIds, [batch, steps], device: device).narrow(1, _first, count);
                var (top, _) = lp.topk(2, dim: -1);
                Copy(lp.gather(2, chosen.unsqueeze(2)).squeeze(2), ChosenLogProbs, count);
                Copy((lp.exp() * lp).sum(-1).neg(), Entropies, count);
                Copy(top.select(2, 0).exp() - top.select(2, 1).exp(), Margins, count);
            }
            foreach (var logits in _held)
            {
                logits.Dispose();
            }
            _first += _held.Count;
            _held.Clear();
            _heldBytes = 0;
        }

        /// <summary>(B, count) values of steps [first, first + count) into the row-major (B, steps) array.</summary>
        private void Copy(Tensor values, float[] into, int count)
        {
            var data = values.cpu().data<float>().ToArray();
            for (var b = 0; b < batch; b++)
            {
                Array.Copy(data, b * count, into, b * steps + _first, count);
            }
        }
    }

    /// <summary>Where a row is: terminated or not, whether its <c>####</c> has been produced, its own-answer length.</summary>
    private struct RowState
    {
        public bool Done;
        public bool Seen;
        public int HashRun;
        public int Count;
        public int AnswerStart;
    }
}
