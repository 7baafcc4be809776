using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ActiveSynth.Benchmarks.Orchestration;

// Orchestration overhead: the same spec through the AppHost's services (Redis streams, four processes) and
// in this process through lib/ (LocalRunner), side by side. Both sides first run a 1-round warm-up so the base
// student is pretrained and cached, then the timed run: wall time from start to finish, round 0 (base evaluation)
// and 4 rounds of 64 samples. overhead_ratio = services / in-process - 1 (goal <= 0.10).
var output = args.Length > 0 ? args[0] : Path.Combine("benchmarks", "results", "orchestration.json");
var work = Path.Combine(Path.GetTempPath(), $"activesynth-orchestration-{Guid.NewGuid():N}");
try
{
    var local = await InProcessSide.RunAsync(Path.Combine(work, "local"));
    Console.WriteLine($"in-process: {local.WallSeconds:0.0} s, accuracy {local.FinalAccuracy:P1}");
    var services = await ServiceSide.RunAsync(Path.Combine(work, "services"));
    Console.WriteLine($"services:   {services.WallSeconds:0.0} s, accuracy {services.FinalAccuracy:P1}");

    var result = new Dictionary<string, object>
    {
        ["spec"] = Spec.Description,
        ["in_process"] = local,
        ["services"] = services,
        ["services_vs_in_process_ratio"] = services.WallSeconds / local.WallSeconds,
        ["overhead_ratio"] = services.WallSeconds / local.WallSeconds - 1,
        ["goal_overhead_ratio"] = 0.10,
        ["machine"] = $"{Environment.ProcessorCount} cores, load average {LoadAverage()}",
        ["measured_at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    };
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    await File.WriteAllTextAsync(output, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"overhead {100 * (services.WallSeconds / local.WallSeconds - 1):0.0} %, wrote {output}");
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

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

namespace ActiveSynth.Benchmarks.Orchestration
{
    public sealed record SideResult(double WallSeconds, double FinalAccuracy, long Samples, long TeacherTokens, IReadOnlyDictionary<string, double> StageSeconds);

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
