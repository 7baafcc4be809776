using System.Diagnostics;
using System.Text.Json.Nodes;
using TorchSharp;

namespace ActiveSynth.Benchmarks.Student;

/// <summary>
/// The yardstick decoding is measured against: a read-only sweep (a sum) over a float32 buffer far larger than the caches
/// (1 GiB by default), run by libtorch on the same intra-op threads as decoding, median of several sweeps with their
/// spread. A memory copy was used before and moved by 2.7× between runs (25.8 and 68.8 GB/s on this machine): a copy's
/// cost depends on whether the target pages are already mapped and on write-combining, a sum reads each byte once, as
/// decoding at batch 1 reads each weight once per token.
/// </summary>
public static class ReadBandwidthAnchor
{
    public static JsonObject Measure(int threads, long bytes = 1L << 30, int sweeps = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sweeps, 5);
        torch.set_num_threads(threads);
        using var buffer = torch.ones(bytes / sizeof(float), torch.ScalarType.Float32);
        using (var warm = buffer.sum())
        {
            warm.item<float>(); // first touch done by ones(); one sweep to settle the threads
        }
        var seconds = new List<double>();
        for (var i = 0; i < sweeps; i++)
        {
            var sw = Stopwatch.StartNew();
            using var sum = buffer.sum();
            var value = sum.item<float>();
            seconds.Add(sw.Elapsed.TotalSeconds);
            if (value <= 0)
            {
                throw new InvalidOperationException("the sweep's sum is wrong; the timing would mean nothing");
            }
        }
        var rates = seconds.Select(s => bytes / s / 1e9).Order().ToList();
        var median = rates[rates.Count / 2];
        return new JsonObject
        {
            ["method"] = "torch.sum over a float32 buffer (read-only), libtorch intra-op threads as decoding",
            ["buffer_bytes"] = bytes,
            ["threads"] = threads,
            ["sweeps"] = sweeps,
            ["read_gb_per_second_median"] = Math.Round(median, 2),
            ["read_gb_per_second_min"] = Math.Round(rates[0], 2),
            ["read_gb_per_second_max"] = Math.Round(rates[^1], 2),
            ["spread_max_minus_min_over_median"] = Math.Round((rates[^1] - rates[0]) / median, 3),
            ["load_average"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "",
        };
    }
}
