using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ActiveSynth.Benchmarks.Orchestration;

// `strategies <compare options>`: the published strategy comparison through a deployment started here (see StrategiesOnDeployment).
if (args is ["strategies", .. var compareArgs])
{
    var data = Path.Combine(Path.GetTempPath(), $"activesynth-strategies-{Guid.NewGuid():N}");
    return await StrategiesOnDeployment.RunAsync(data, compareArgs);
}

// `scale [options]`: pools of 400 to 7,500 seeds through a deployment started here, per stage, Redis and process memory (see ScaleOnDeployment).
if (args is ["scale", .. var scaleArgs])
{
    var data = Path.Combine(Path.GetTempPath(), $"activesynth-scale-{Guid.NewGuid():N}");
    try
    {
        return await ScaleOnDeployment.RunAsync(data, scaleArgs);
    }
    finally
    {
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

// `paper-table <paper-table options>`: the paper's table through a deployment started here (see PaperTableOnDeployment).
if (args is ["paper-table", .. var tableArgs])
{
    var data = Path.Combine(Path.GetTempPath(), $"activesynth-paper-table-{Guid.NewGuid():N}");
    try
    {
        return await PaperTableOnDeployment.RunAsync(data, tableArgs);
    }
    finally
    {
        // Every run's checkpoints are here: hundreds of runs would fill the disk. What the table keeps is in its cache and JSON.
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

// Orchestration overhead: the same RunSpec through the AppHost's services (Redis streams, four processes) and through the
// in-process engine (the same handlers, no Redis), side by side in this process. Each side is started once and warmed up (a
// 1-round run pretrains and caches the base), then the timed runs alternate between the sides, so a slow spell of the
// machine hits both. overhead_ratio = median(services) / median(in-process) - 1 (goal <= 0.05).
var output = args.Length > 0 ? args[0] : Path.Combine("benchmarks", "results", "orchestration.json");
var repetitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var work = Path.Combine(Path.GetTempPath(), $"activesynth-orchestration-{Guid.NewGuid():N}");
try
{
    var loadBefore = LoadAverage();
    using var local = new InProcessSide(Path.Combine(work, "local"));
    await using var services = await ServiceSide.StartAsync(Path.Combine(work, "services"));
    await local.RunAsync("warmup", rounds: 1);
    await services.RunAsync("warmup", rounds: 1);
    var localRuns = new List<SideResult>();
    var serviceRuns = new List<SideResult>();
    for (var i = 1; i <= repetitions; i++)
    {
        localRuns.Add(await local.RunAsync($"timed-{i}", Spec.Rounds));
        serviceRuns.Add(await services.RunAsync($"timed-{i}", Spec.Rounds));
        Console.WriteLine($"repetition {i}: in-process {localRuns[^1].WallSeconds:0.0} s, services {serviceRuns[^1].WallSeconds:0.0} s");
    }
    var localMedian = Median(localRuns.Select(r => r.WallSeconds));
    var servicesMedian = Median(serviceRuns.Select(r => r.WallSeconds));
    var curvesEqual = localRuns.Concat(serviceRuns).All(r => r.Curve.SequenceEqual(localRuns[0].Curve));
    var result = new Dictionary<string, object>
    {
        ["spec"] = Spec.Description,
        ["repetitions"] = repetitions,
        ["in_process"] = localRuns,
        ["services"] = serviceRuns,
        ["in_process_median_seconds"] = localMedian,
        ["services_median_seconds"] = servicesMedian,
        ["overhead_ratio"] = servicesMedian / localMedian - 1,
        ["goal_overhead_ratio"] = 0.05,
        ["curves_equal"] = curvesEqual,
        ["machine"] = $"{Environment.ProcessorCount} cores",
        ["load_average_before"] = loadBefore,
        ["load_average_after"] = LoadAverage(),
        ["measured_at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    };
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    await File.WriteAllTextAsync(output, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"overhead {100 * (servicesMedian / localMedian - 1):0.0} %, curves equal: {curvesEqual}, wrote {output}");
    return 0;
}
finally
{
    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
    }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

namespace ActiveSynth.Benchmarks.Orchestration
{
    /// <summary>One timed run: wall time, its learning curve (accuracy per round) and spending, per-stage seconds.</summary>
    public sealed record SideResult(double WallSeconds, IReadOnlyList<double> Curve, long Samples, long TeacherTokens, IReadOnlyDictionary<string, double> StageSeconds);

    internal static class Timing
    {
        public static async Task<(T Result, double Seconds)> MeasureAsync<T>(Func<Task<T>> action)
        {
            var clock = Stopwatch.StartNew();
            var result = await action();
            return (result, clock.Elapsed.TotalSeconds);
        }
    }
}
