using ActiveSynth.Student.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// Batched greedy decoding for <see cref="HfStudent"/>, with the statistics the scorer reads (<see cref="DecodedSequence"/>).
/// Prompts are left-padded; each row's positions start at 0 at its first real token, pads are masked as keys and
/// attend to themselves only (no NaN rows). With the KV cache each step feeds one token per row; without it every
/// step recomputes the whole sequence (the reference the cache is tested against). A row stops at a stop token
/// (eos_token_id(s), the template's end of turn), which counts as its terminator, after <c>maxNewTokens</c>, or at the context.
/// Tokens after the text <c>####</c> are marked as the final answer (<see cref="DecodedSequence.InAnswer"/>).
/// </summary>
public static class HfGreedyDecoder
{
    public static IReadOnlyList<DecodedSequence> Decode(HfStudent student, IReadOnlyList<int[]> prompts, int maxNewTokens, bool useKvCache = true)
    {
        ArgumentNullException.ThrowIfNull(student);
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
        if (promptLength > student.Context)
        {
            throw new ArgumentException($"A prompt of {promptLength} tokens does not fit the context ({student.Context}).", nameof(prompts));
        }
        var steps = Math.Min(maxNewTokens, student.Context - promptLength);
        if (steps <= 0)
        {
            return [.. prompts.Select(p => new DecodedSequence([], false, [], [], [], [], p.Length))];
        }
        var net = student.Network;
        var device = student.Device;
        var stop = student.StopTokenIds.ToHashSet();
        var capacity = promptLength + steps;
        var wasTraining = net.training;
        net.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
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
                        xData[b * promptLength + t] = t >= pad ? prompts[b][t - pad] : prompts[b][0];
                        posData[b * promptLength + t] = Math.Max(0, t - pad);
                    }
                    validData[b * capacity + t] = t >= pad;
                }
            }
            var prompt = tensor(xData, [batch, promptLength], device: device);
            var promptPositions = tensor(posData, [batch, promptLength], device: device);
            var valid = tensor(validData, [batch, capacity], device: device);

            var tokenIds = new long[batch * steps];
            var stepLogits = new List<Tensor>(steps);
            using var cache = useKvCache ? new HfKvCache(net.LayerCount) : null;
            var logits = net.Logits(net.ForwardHidden(prompt, promptPositions, PrefixMask(valid, promptLength, device), cache).select(1, promptLength - 1));
            var current = promptPositions.select(1, promptLength - 1);
            var rows = new RowState[batch];
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
                    var id = (int)ids[b];
                    tokenIds[b * steps + s] = id;
                    if (rows[b].Advance(id, stop.Contains(id), student.Tokenizer))
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
                    var stepMask = valid.narrow(1, 0, at + 1).unsqueeze(1).unsqueeze(1);
                    next = net.Logits(net.ForwardHidden(token.unsqueeze(1), current.unsqueeze(1), stepMask, cache).select(1, 0));
                }
                else
                {
                    var generated = tensor(tokenIds, [batch, steps], device: device).narrow(1, 0, s + 1);
                    var sequence = cat([prompt, generated], 1);
                    var positions = cat([promptPositions, current.unsqueeze(1) - arange(s, -1, -1, device: device).unsqueeze(0)], 1);
                    next = net.Logits(net.ForwardHidden(sequence, positions, PrefixMask(valid, at + 1, device), null).select(1, at));
                }
                logits = next.MoveToOuterDisposeScope();
            }
            var chosen = tensor(tokenIds, [batch, steps], device: device).narrow(1, 0, produced);
            return Collect(prompts, produced, steps, tokenIds, chosen, stack(stepLogits, 1), rows);
        }
        finally
        {
            net.train(wasTraining);
        }
    }

    /// <summary>A row's progress: terminated or not, whether <c>####</c> has appeared, how many tokens it produced.</summary>
    private struct RowState
    {
        public bool Done;
        public bool Seen;
        public int HashRun;
        public int Count;
        public int AnswerStart;

        public bool Advance(int token, bool isStop, HfTokenizer tokenizer)
        {
            if (Done)
            {
                return false;
            }
            Count++;
            if (isStop)
            {
                Done = true;
                return true;
            }
            if (!Seen)
            {
                // A BPE token may hold several '#': count the run of '#' across token boundaries.
                foreach (var c in tokenizer.Decode([token]))
                {
                    HashRun = c == '#' ? HashRun + 1 : 0;
                    if (HashRun >= 4)
                    {
                        Seen = true;
                        AnswerStart = Count;
                        break;
                    }
                }
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

    private static DecodedSequence[] Collect(IReadOnlyList<int[]> prompts, int produced, int steps, long[] tok, Tensor chosen, Tensor stepLogits, RowState[] rows)
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
            result[b] = new DecodedSequence(ids, rows[b].Done, chosenLp[row..(row + count)], ent[row..(row + count)], mar[row..(row + count)],
                inAnswer, prompts[b].Length, rows[b].Done ? (int)tok[b * steps + count - 1] : null);
        }
        return result;
    }
}
