namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary>
/// A naive Llama/Qwen2 forward pass in plain double arithmetic over the checkpoint's float arrays, written from the
/// transformers modeling code and sharing nothing with the TorchSharp implementation: the reference its logits are
/// compared against.
/// </summary>
public static class ReferenceForward
{
    public static double[][] Logits(TinyHfCheckpoint checkpoint, int[] ids)
    {
        var c = checkpoint.Config;
        int I(string f) => c[f]!.GetValue<int>();
        var hidden = I("hidden_size");
        var heads = I("num_attention_heads");
        var kvHeads = I("num_key_value_heads");
        var headDim = c["head_dim"]?.GetValue<int>() ?? hidden / heads;
        var eps = c["rms_norm_eps"]!.GetValue<double>();
        var qwen = c["model_type"]!.GetValue<string>() == "qwen2";
        var w = checkpoint.Weights;
        var inv = InverseFrequencies(c, headDim);
        var time = ids.Length;
        var x = ids.Select(id => Row(w["model.embed_tokens.weight"].Data, id, hidden)).ToArray();
        for (var l = 0; l < I("num_hidden_layers"); l++)
        {
            var p = $"model.layers.{l}.";
            var h = x.Select(r => RmsNorm(r, w[p + "input_layernorm.weight"].Data, eps)).ToArray();
            var q = h.Select(r => Linear(r, w[p + "self_attn.q_proj.weight"].Data, qwen ? w[p + "self_attn.q_proj.bias"].Data : null)).ToArray();
            var k = h.Select(r => Linear(r, w[p + "self_attn.k_proj.weight"].Data, qwen ? w[p + "self_attn.k_proj.bias"].Data : null)).ToArray();
            var v = h.Select(r => Linear(r, w[p + "self_attn.v_proj.weight"].Data, qwen ? w[p + "self_attn.v_proj.bias"].Data : null)).ToArray();
            for (var t = 0; t < time; t++)
            {
                Rope(q[t], heads, headDim, t, inv);
                Rope(k[t], kvHeads, headDim, t, inv);
            }
            var attended = new double[time][];
            for (var t = 0; t < time; t++)
            {
                attended[t] = new double[heads * headDim];
                for (var head = 0; head < heads; head++)
                {
                    var kvHead = head / (heads / kvHeads);
                    var scores = new double[t + 1];
                    for (var s = 0; s <= t; s++)
                    {
                        double dot = 0;
                        for (var d = 0; d < headDim; d++)
                        {
                            dot += q[t][head * headDim + d] * k[s][kvHead * headDim + d];
                        }
                        scores[s] = dot / Math.Sqrt(headDim);
                    }
                    var max = scores.Max();
                    var exp = scores.Select(z => Math.Exp(z - max)).ToArray();
                    var sum = exp.Sum();
                    for (var s = 0; s <= t; s++)
                    {
                        for (var d = 0; d < headDim; d++)
                        {
                            attended[t][head * headDim + d] += exp[s] / sum * v[s][kvHead * headDim + d];
                        }
                    }
                }
            }
            for (var t = 0; t < time; t++)
            {
                Add(x[t], Linear(attended[t], w[p + "self_attn.o_proj.weight"].Data, null));
                var h2 = RmsNorm(x[t], w[p + "post_attention_layernorm.weight"].Data, eps);
                var gate = Linear(h2, w[p + "mlp.gate_proj.weight"].Data, null);
                var up = Linear(h2, w[p + "mlp.up_proj.weight"].Data, null);
                var act = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
                Add(x[t], Linear(act, w[p + "mlp.down_proj.weight"].Data, null));
            }
        }
        var head_ = w.TryGetValue("lm_head.weight", out var lm) && !(c["tie_word_embeddings"]?.GetValue<bool>() ?? false) ? lm.Data : w["model.embed_tokens.weight"].Data;
        return [.. x.Select(r => Linear(RmsNorm(r, w["model.norm.weight"].Data, eps), head_, null))];
    }

    private static double[] InverseFrequencies(System.Text.Json.Nodes.JsonObject c, int headDim)
    {
        var theta = c["rope_theta"]!.GetValue<double>();
        var inv = Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim)).ToArray();
        if (c["rope_scaling"] is System.Text.Json.Nodes.JsonObject s)
        {
            var factor = s["factor"]!.GetValue<double>();
            var low = s["low_freq_factor"]!.GetValue<double>();
            var high = s["high_freq_factor"]!.GetValue<double>();
            var old = s["original_max_position_embeddings"]!.GetValue<int>();
            for (var i = 0; i < inv.Length; i++)
            {
                var wavelen = 2 * Math.PI / inv[i];
                var scaled = wavelen > old / low ? inv[i] / factor : inv[i];
                var smooth = (old / wavelen - low) / (high - low);
                var isMedium = !(wavelen < old / high) && !(wavelen > old / low);
                inv[i] = isMedium ? (1 - smooth) * scaled / factor + smooth * scaled : scaled;
            }
        }
        return inv;
    }

    private static void Rope(double[] vector, int heads, int headDim, int position, double[] inv)
    {
        var half = headDim / 2;
        for (var head = 0; head < heads; head++)
        {
            for (var i = 0; i < half; i++)
            {
                // Angles in float32 as transformers computes them.
                var angle = (double)((float)position * (float)inv[i]);
                var a = vector[head * headDim + i];
                var b = vector[head * headDim + i + half];
                vector[head * headDim + i] = a * Math.Cos(angle) - b * Math.Sin(angle);
                vector[head * headDim + i + half] = b * Math.Cos(angle) + a * Math.Sin(angle);
            }
        }
    }

    private static double[] Row(float[] matrix, int row, int width) => [.. matrix.AsSpan(row * width, width).ToArray().Select(f => (double)f)];

    private static double[] RmsNorm(double[] x, float[] weight, double eps)
    {
        var rms = Math.Sqrt(x.Sum(v => v * v) / x.Length + eps);
        return [.. x.Select((v, i) => v / rms * weight[i])];
    }

    /// <summary>y = W x + b for W stored (out, in) row-major.</summary>
    private static double[] Linear(double[] x, float[] weight, float[]? bias)
    {
        var outputs = weight.Length / x.Length;
        var y = new double[outputs];
        for (var o = 0; o < outputs; o++)
        {
            double sum = bias?[o] ?? 0;
            for (var i = 0; i < x.Length; i++)
            {
                sum += weight[o * x.Length + i] * x[i];
            }
            y[o] = sum;
        }
        return y;
    }

    private static void Add(double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += y[i];
        }
    }
}
