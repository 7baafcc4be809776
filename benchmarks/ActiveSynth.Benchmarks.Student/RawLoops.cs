using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Benchmarks.Student;

/// <summary>
/// The minimal TorchSharp loops a user would write by hand for the same model and batch: the yardstick for the
/// overhead of the library's code path (collation, per-token statistics, signals, sampling, bookkeeping).
/// </summary>
internal static class RawLoops
{
    /// <summary>Greedy decoding with the KV cache for exactly <paramref name="steps"/> steps: argmax only, no statistics, no stopping checks.</summary>
    public static void Decode(StudentModel model, IReadOnlyList<int[]> prompts, int steps)
    {
        var net = model.Network;
        var batch = prompts.Count;
        var length = prompts.Max(p => p.Length);
        var capacity = length + steps;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = new long[batch * length];
        var pos = new long[batch * length];
        var valid = new bool[batch * capacity];
        for (var b = 0; b < batch; b++)
        {
            var pad = length - prompts[b].Length;
            for (var t = 0; t < length; t++)
            {
                x[b * length + t] = t >= pad ? prompts[b][t - pad] : CharTokenizer.Pad;
                pos[b * length + t] = Math.Max(0, t - pad);
                valid[b * capacity + t] = t >= pad;
            }
            for (var t = length; t < capacity; t++)
            {
                valid[b * capacity + t] = true;
            }
        }
        var input = tensor(x, [batch, length]);
        var positions = tensor(pos, [batch, length]);
        var keys = tensor(valid, [batch, capacity]);
        var mask = ones(length, length, ScalarType.Bool).tril().unsqueeze(0).logical_and(keys.narrow(1, 0, length).unsqueeze(1))
            .logical_or(eye(length, dtype: ScalarType.Bool).unsqueeze(0)).unsqueeze(1);
        using var cache = new KvCache(model.Config, batch, capacity, model.Device);
        var next = net.Forward(input, positions, mask, cache, 0).select(1, length - 1).argmax(-1);
        var current = positions.select(1, length - 1);
        for (var s = 0; s < steps - 1; s++)
        {
            using var step = NewDisposeScope();
            current = (current + 1).MoveToOuterDisposeScope();
            var stepMask = keys.narrow(1, 0, length + s + 1).unsqueeze(1).unsqueeze(1);
            next = net.Forward(next.unsqueeze(1), current.unsqueeze(1), stepMask, cache, length + s).select(1, 0).argmax(-1).MoveToOuterDisposeScope();
        }
        _ = next.data<long>()[0];
    }

    /// <summary>Forward, cross-entropy, backward, clip, AdamW step over pre-collated batches.</summary>
    public static void Train(StudentModel model, optim.Optimizer optimizer, IReadOnlyList<TeacherForcedBatch> batches)
    {
        var net = model.Network;
        var parameters = net.parameters().ToList();
        net.train();
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            var logits = net.Forward(batch.Inputs, batch.Positions);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), batch.Targets.reshape(-1), ignore_index: TeacherForcedBatch.IgnoreIndex);
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            optimizer.step();
            _ = loss.item<float>();
        }
    }
}
