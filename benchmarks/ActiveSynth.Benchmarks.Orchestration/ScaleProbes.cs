using System.Globalization;
using ActiveSynth.Contracts;
using StackExchange.Redis;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>The largest message seen: its size in bytes and where it was (a stored reply's key or a stream).</summary>
internal sealed record LargestMessage(long Bytes, string Where);

/// <summary>Peak resident memory of one service process: sampled while the cell ran, and the kernel's lifetime high-water mark.</summary>
internal sealed record ProcessMemory(string Service, int Pid, long PeakRssDuringKb, long VmHwmKb);

/// <summary>Keys of one family: how many, their MEMORY USAGE summed, one of them.</summary>
internal sealed record KeyFamily(int Keys, long Bytes, string Example);

/// <summary>What one cell's sampler saw.</summary>
internal sealed record CellSamples(long UsedMemoryBefore, long UsedMemoryPeakSampled, long UsedMemoryPeakLifetime, LargestMessage LargestReply,
    LargestMessage LargestStreamEntry, IReadOnlyList<ProcessMemory> Processes, int Samples);

/// <summary>
/// Reads the deployment's Redis (INFO memory, stored replies, stream entries) and its service processes' memory (/proc) while a run
/// goes. The service processes are those whose command line names a service and whose environment holds this benchmark's artifact
/// root, so another deployment on the same machine is never counted.
/// </summary>
internal sealed class ScaleProbes(IConnectionMultiplexer redis, string artifactsRoot)
{
    /// <summary>The streams a run's work travels on (requests and replies of every work kind) and the runs' event stream.</summary>
    public static readonly string[] WorkStreams =
    [
        Streams.ScoreRequests, Streams.ScoreResults, Streams.GenerateRequests, Streams.GenerateResults,
        Streams.TrainRequests, Streams.TrainResults, Streams.JudgeRequests, Streams.JudgeResults, Streams.RunEvents,
    ];

    private static readonly string[] ServiceNames = ["Selection", "Scoring", "Teacher", "Training"];

    private IDatabase Db => redis.GetDatabase();

    private IServer Server => redis.GetServers()[0];

    /// <summary>INFO memory's used_memory and used_memory_peak.</summary>
    public async Task<(long Used, long Peak)> MemoryAsync()
    {
        var info = await Server.InfoAsync("memory");
        var fields = info.SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return (long.Parse(fields["used_memory"], CultureInfo.InvariantCulture), long.Parse(fields["used_memory_peak"], CultureInfo.InvariantCulture));
    }

    /// <summary>Keys matching <paramref name="pattern"/> (SCAN).</summary>
    public async Task<List<RedisKey>> KeysAsync(string pattern)
    {
        var keys = new List<RedisKey>();
        await foreach (var key in Server.KeysAsync(pattern: pattern, pageSize: 1000))
        {
            keys.Add(key);
        }
        return keys;
    }

    /// <summary>Sum of MEMORY USAGE over the keys matching <paramref name="pattern"/>, and their count.</summary>
    public async Task<(long Bytes, int Keys)> MemoryUsageAsync(string pattern)
    {
        long bytes = 0;
        var keys = await KeysAsync(pattern);
        foreach (var key in keys)
        {
            var usage = await Db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
            bytes += usage.IsNull ? 0 : (long)usage;
        }
        return (bytes, keys.Count);
    }

    public async Task<long> DeleteAsync(string pattern)
    {
        var keys = await KeysAsync(pattern);
        long deleted = 0;
        foreach (var batch in keys.Chunk(500))
        {
            deleted += await Db.KeyDeleteAsync(batch);
        }
        return deleted;
    }

    public async Task<long> DbSizeAsync() => await Server.DatabaseSizeAsync();

    /// <summary>
    /// Keys by family: the key with run ids (from <paramref name="runIds"/>) replaced by &lt;run&gt; and cut after its third
    /// ':'-separated part (<c>activesynth:teacher:cache</c>, <c>activesynth:run:&lt;run&gt;</c>, ...), with their count, the sum of
    /// their MEMORY USAGE and one example key (run ids replaced).
    /// </summary>
    public async Task<SortedDictionary<string, KeyFamily>> KeyFamiliesAsync(IEnumerable<string> runIds)
    {
        var ids = runIds.OrderByDescending(id => id.Length).ToList();
        var families = new SortedDictionary<string, KeyFamily>(StringComparer.Ordinal);
        foreach (var key in await KeysAsync("*"))
        {
            var name = key.ToString();
            foreach (var id in ids)
            {
                name = name.Replace(id, "<run>", StringComparison.Ordinal);
            }
            var family = string.Join(':', name.Split(':').Take(3));
            var usage = await Db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
            var bytes = usage.IsNull ? 0 : (long)usage;
            families[family] = families.TryGetValue(family, out var seen)
                ? seen with { Keys = seen.Keys + 1, Bytes = seen.Bytes + bytes }
                : new KeyFamily(1, bytes, name);
        }
        return families;
    }

    /// <summary>Starts sampling for run <paramref name="runId"/> every <paramref name="interval"/> until the returned sampler is stopped.</summary>
    public async Task<Sampler> StartAsync(string runId, TimeSpan interval)
    {
        var (used, _) = await MemoryAsync();
        var cursors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stream in WorkStreams)
        {
            // Only entries added from now on belong to this cell.
            var last = await Db.StreamRangeAsync(stream, "-", "+", 1, Order.Descending);
            cursors[stream] = last.Length > 0 ? last[0].Id.ToString() : "0-0";
        }
        return new Sampler(this, runId, used, cursors, FindServices(), interval);
    }

    /// <summary>The service processes of this deployment (pid → service name), from /proc.</summary>
    public Dictionary<int, string> FindServices()
    {
        var found = new Dictionary<int, string>();
        if (!Directory.Exists("/proc"))
        {
            return found;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var service = cmdline.Contains("redis-server", StringComparison.Ordinal) ? "Redis"
                    : ServiceNames.FirstOrDefault(s => cmdline.Contains($"ActiveSynth.{s}", StringComparison.Ordinal)
                        && !cmdline.Contains("ActiveSynth.Benchmarks", StringComparison.Ordinal));
                // `dotnet run --project …csproj` only launches the service process (which is what is measured).
                if (service is null || cmdline.Contains(".csproj", StringComparison.Ordinal))
                {
                    continue;
                }
                // redis-server's command line names its config file under the data directory, the services have the artifact root in their environment.
                var ours = service == "Redis"
                    ? cmdline.Contains(Path.GetDirectoryName(artifactsRoot)!, StringComparison.Ordinal)
                    : File.ReadAllText(Path.Combine(dir, "environ")).Contains(artifactsRoot, StringComparison.Ordinal);
                if (ours)
                {
                    found[pid] = service;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours to read.
            }
        }
        return found;
    }

    /// <summary>VmRSS and VmHWM (kB) of a process, or null when it is gone.</summary>
    public static (long Rss, long Hwm)? ReadMemory(int pid)
    {
        try
        {
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kb(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = Kb(line);
                }
            }
            return (rss, hwm);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>One cell's sampling loop.</summary>
    internal sealed class Sampler
    {
        private readonly ScaleProbes _probes;
        private readonly string _runId;
        private readonly long _usedBefore;
        private readonly Dictionary<string, string> _cursors;
        private readonly Dictionary<int, string> _services;
        private readonly Dictionary<int, long> _peakRss = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _peakUsed;
        private LargestMessage _reply = new(0, "");
        private LargestMessage _entry = new(0, "");
        private int _samples;

        public Sampler(ScaleProbes probes, string runId, long usedBefore, Dictionary<string, string> cursors, Dictionary<int, string> services, TimeSpan interval)
        {
            _probes = probes;
            _runId = runId;
            _usedBefore = usedBefore;
            _peakUsed = usedBefore;
            _cursors = cursors;
            _services = services;
            _loop = Task.Run(() => LoopAsync(interval));
        }

        private async Task LoopAsync(TimeSpan interval)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await SampleAsync();
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Console.Error.WriteLine($"scale: sample failed: {ex.Message}");
                }
                try
                {
                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        private async Task SampleAsync()
        {
            _samples++;
            var (used, _) = await _probes.MemoryAsync();
            _peakUsed = Math.Max(_peakUsed, used);
            var db = _probes.Db;
            foreach (var key in await _probes.KeysAsync($"activesynth:run:{_runId}:result:*"))
            {
                var length = await db.StringLengthAsync(key);
                if (length > _reply.Bytes)
                {
                    _reply = new LargestMessage(length, key.ToString());
                }
            }
            foreach (var stream in WorkStreams)
            {
                // Entries after the last one seen (ids are ms-seq: the next possible id is ms-(seq+1)).
                var from = NextId(_cursors[stream]);
                var entries = await db.StreamRangeAsync(stream, from, "+", 1000);
                foreach (var entry in entries)
                {
                    var bytes = entry.Values.Sum(v => v.Name.Length() + v.Value.Length());
                    if (bytes > _entry.Bytes)
                    {
                        _entry = new LargestMessage(bytes, stream);
                    }
                }
                if (entries.Length > 0)
                {
                    _cursors[stream] = entries[^1].Id.ToString();
                }
            }
            foreach (var pid in _services.Keys)
            {
                if (ReadMemory(pid) is { } memory)
                {
                    _peakRss[pid] = Math.Max(_peakRss.GetValueOrDefault(pid), memory.Rss);
                }
            }
        }

        private static string NextId(string id)
        {
            var dash = id.IndexOf('-', StringComparison.Ordinal);
            var ms = id[..dash];
            var seq = ulong.Parse(id[(dash + 1)..], CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture, $"{ms}-{seq + 1}");
        }

        /// <summary>Stops sampling after one last sample and returns what was seen (VmHWM read now).</summary>
        public async Task<CellSamples> StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            await SampleAsync();
            var (_, lifetimePeak) = await _probes.MemoryAsync();
            var processes = _services
                .Select(s => new ProcessMemory(s.Value, s.Key, _peakRss.GetValueOrDefault(s.Key), ReadMemory(s.Key)?.Hwm ?? 0))
                .OrderBy(p => p.Service, StringComparer.Ordinal).ThenBy(p => p.Pid)
                .ToList();
            return new CellSamples(_usedBefore, _peakUsed, lifetimePeak, _reply, _entry, processes, _samples);
        }
    }
}
