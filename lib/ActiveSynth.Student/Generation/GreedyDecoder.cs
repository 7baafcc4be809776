using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Generation;

/// <summary>What greedy decoding produced for one prompt, with per-token statistics of the student's own choices.</summary>
/// <param name="Tokens">Generated tokens, the terminator (EOS, or the newline ending the <c>####</c> line) excluded.</param>
/// <param name="Terminated">True when a terminator was produced (false: the token limit or the context was hit).</param>
/// <param name="LogProbs">Log-probability of each chosen token, terminator included.</param>
/// <param name="Entropies">Predictive entropy (nats) at each generated token, terminator included.</param>
/// <param name="Margins">Top-1 minus top-2 probability at each generated token, terminator included.</param>
/// <param name="InAnswer">True for tokens after <c>####</c> (the final-answer part, terminator included).</param>
/// <param name="PromptTokens">Prompt length in tokens.</param>
/// <param name="TerminatorId">The terminator token when the student has several (a Hugging Face model's eos ids and end of turn); null otherwise.</param>
public sealed record DecodedSequence(int[] Tokens, bool Terminated, float[] LogProbs, float[] Entropies, float[] Margins, bool[] InAnswer, int PromptTokens,
    int? TerminatorId = null)
{
    /// <summary>Tokens the student was scored on: the generated ones plus the terminator.</summary>
    public int ScoredTokenCount => LogProbs.Length;
}

/// <summary>
/// Batched greedy decoding. Prompts are left-padded with per-row positions (each row's first real token sits at
/// position 0), pads are masked out as keys, and every position may attend to itself so an all-pad query row never
/// turns into NaN. With the KV cache (default) each step feeds one token per row; without it every step recomputes
/// the whole sequence (the reference the cache is tested against). Decoding stops at EOS or at the newline that ends
/// the <c>####</c> answer line, after <c>maxNewTokens</c>, or at the context length.
/// </summary>
public static class GreedyDecoder
{
    private const int InitialAnswerRoom = 40;

    public static IReadOnlyList<DecodedSequence> Decode(StudentModel model, IReadOnlyList<int[]> prompts, int maxNewTokens, bool useKvCache = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
        {
            return [];
        }
        var net = model.Network;
        var config = model.Config;
        var device = model.Device;
        var batch = prompts.Count;
        var promptLength = prompts.Max(p => p.Length);
        if (prompts.Any(p => p.Length == 0))
        {
            throw new ArgumentException("Every prompt needs at least one token.", nameof(prompts));
        }
        if (promptLength > config.Context)
        {
            throw new ArgumentException($"A prompt of {promptLength} tokens does not fit the context ({config.Context}).", nameof(prompts));
        }
        var steps = Math.Min(maxNewTokens, config.Context - promptLength);
        if (steps <= 0)
        {
            return [.. prompts.Select(p => new DecodedSequence([], false, [], [], [], [], p.Length))];
        }
        var capacity = promptLength + steps;
        var hash = model.Tokenizer.Id('#');
        var newline = model.Tokenizer.Id('\n');

        var wasTraining = net.training;
        net.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();

            // Left-padded prompt, per-row positions, key validity over the whole (prompt + generated) span: generated
            // positions are valid from the start, a step only ever looks at keys up to its own position.
            var xData = new long[batch * promptLength];
            var posData = new long[batch * promptLength];
            var validData = new bool[batch * capacity];
            for (var b = 0; b < batch; b++)
            {
                var pad = promptLength - prompts[b].Length;
                for (var t = 0; t < capacity; t++)
                {
                    if (t < promptLength)
                    {
                        xData[b * promptLength + t] = t >= pad ? prompts[b][t - pad] : CharTokenizer.Pad;
                        posData[b * promptLength + t] = Math.Max(0, t - pad);
                    }
                    validData[b * capacity + t] = t >= pad;
                }
            }
            var prompt = tensor(xData, [batch, promptLength], device: device);
            var promptPositions = tensor(posData, [batch, promptLength], device: device);
            var valid = tensor(validData, [batch, capacity], device: device);

            // Per step only the argmax and the forward pass; the step's logits are kept and the statistics computed once at the end.
            var tokenIds = new long[batch * steps];
            var stepLogits = new List<Tensor>(steps);
            // The cache starts with room for typical answers and doubles when a batch decodes longer (untouched room costs time).
            using var cache = useKvCache ? new KvCache(config, batch, Math.Min(capacity, promptLength + InitialAnswerRoom), device) : null;
            var logits = net.Forward(prompt, promptPositions, PrefixMask(valid, promptLength, device), cache, 0).select(1, promptLength - 1);
            var current = promptPositions.select(1, promptLength - 1);

            var state = new RowState[batch];
            var live = batch;
            var produced = 0;
            for (var s = 0; s < steps; s++)
            {
                using var stepScope = NewDisposeScope();
                stepLogits.Add(logits);
                var token = logits.argmax(-1);
                using var ids = token.cpu().data<long>();
                for (var b = 0; b < batch; b++)
                {
                    var id = ids[b];
                    tokenIds[b * steps + s] = id;
                    if (state[b].Advance((int)id, hash, newline))
                    {
                        live--;
                    }
                }
                produced = s + 1;
                if (live == 0 || s == steps - 1)
                {
                    break;
                }

                var at = promptLength + s;
                current = (current + 1).MoveToOuterDisposeScope();
                Tensor next;
                if (cache is not null)
                {
                    cache.EnsureCapacity(at + 1, capacity);
                    var stepMask = valid.narrow(1, 0, at + 1).unsqueeze(1).unsqueeze(1);
                    next = net.Forward(token.unsqueeze(1), current.unsqueeze(1), stepMask, cache, at).select(1, 0);
                }
                else
                {
                    var generated = tensor(tokenIds, [batch, steps], device: device).narrow(1, 0, s + 1);
                    var sequence = cat([prompt, generated], 1);
                    var positions = cat([promptPositions, current.unsqueeze(1) - arange(s, -1, -1, device: device).unsqueeze(0)], 1);
                    next = net.Forward(sequence, positions, PrefixMask(valid, at + 1, device)).select(1, at);
                }
                logits = next.MoveToOuterDisposeScope();
            }

            var chosen = tensor(tokenIds, [batch, steps], device: device).narrow(1, 0, produced);
            return Collect(prompts, produced, steps, tokenIds, chosen, stack(stepLogits, 1), state);
        }
        finally
        {
            net.train(wasTraining);
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

        /// <summary>Takes the row's next token; true when it terminates the row now.</summary>
        public bool Advance(int token, int hash, int newline)
        {
            if (Done)
            {
                return false;
            }
            Count++;
            if (token == CharTokenizer.Eos || (Seen && token == newline))
            {
                Done = true;
                return true;
            }
            HashRun = token == hash ? HashRun + 1 : 0;
            if (!Seen && HashRun >= 4)
            {
                Seen = true;
                AnswerStart = Count;
            }
            return false;
        }
    }

    /// <summary>(B,1,T,T): causal and key-not-pad, or the diagonal (a pad query attends to itself).</summary>
    private static Tensor PrefixMask(Tensor valid, long length, Device device)
    {
        var causal = ones(length, length, ScalarType.Bool, device: device).tril().unsqueeze(0);
        var keys = valid.narrow(1, 0, length).unsqueeze(1);
        return causal.logical_and(keys).logical_or(eye(length, dtype: ScalarType.Bool, device: device).unsqueeze(0)).unsqueeze(1);
    }

    private static DecodedSequence[] Collect(IReadOnlyList<int[]> prompts, int produced, int steps, long[] tok, Tensor chosen, Tensor stepLogits,
        RowState[] state)
    {
        var batch = prompts.Count;
        var lp = stepLogits.log_softmax(-1);
        var (top, _) = lp.topk(2, dim: -1);
        var chosenLp = lp.gather(2, chosen.unsqueeze(2)).squeeze(2).cpu().data<float>().ToArray();
        var ent = (lp.exp() * lp).sum(-1).neg().cpu().data<float>().ToArray();
        var mar = (top.select(2, 0).exp() - top.select(2, 1).exp()).cpu().data<float>().ToArray();
        var result = new DecodedSequence[batch];
        for (var b = 0; b < batch; b++)
        {
            var row = b * produced;
            var count = state[b].Count;
            var textCount = state[b].Done ? count - 1 : count;
            var ids = new int[textCount];
            for (var i = 0; i < textCount; i++)
            {
                ids[i] = (int)tok[b * steps + i];
            }
            var inAnswer = new bool[count];
            if (state[b].Seen)
            {
                Array.Fill(inAnswer, true, state[b].AnswerStart, count - state[b].AnswerStart);
            }
            result[b] = new DecodedSequence(ids, state[b].Done, chosenLp[row..(row + count)], ent[row..(row + count)], mar[row..(row + count)],
                inAnswer, prompts[b].Length);
        }
        return result;
    }
}
