namespace ActiveSynth.Testing;

/// <summary>
/// Linux /proc helpers for tests that watch a deployment's processes: command lines, liveness, descendants, and the
/// processes of one deployment found by a marker (a unique folder) in their command line, environment or working
/// directory, since DCP starts services and redis-server outside the test's process tree.
/// </summary>
public static class ProcessTree
{
    public static string CommandLine(int pid) => Read($"/proc/{pid}/cmdline");

    public static bool IsAlive(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        return stat.Length > 0 && stat[(stat.LastIndexOf(')') + 2)] != 'Z';
    }

    /// <summary>Every process (but this one) carrying <paramref name="marker"/>, with its command line.</summary>
    public static IReadOnlyDictionary<int, string> Marked(string marker)
    {
        var result = new Dictionary<int, string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            var commandLine = Read($"{dir}/cmdline");
            // redis-server rewrites its command line (its process title), so it is found by its working directory, its data folder.
            if (commandLine.Contains(marker, StringComparison.Ordinal)
                || Read($"{dir}/environ").Contains(marker, StringComparison.Ordinal)
                || WorkingDirectory(dir).StartsWith(marker, StringComparison.Ordinal))
            {
                result[pid] = commandLine;
            }
        }
        return result;
    }

    /// <summary><paramref name="pid"/> and all its descendants, parents first.</summary>
    public static IReadOnlyList<int> WithDescendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var child) && ParentOf(child) is { } parent)
            {
                parents[child] = parent;
            }
        }
        var result = new List<int> { pid };
        for (var i = 0; i < result.Count; i++)
        {
            result.AddRange(parents.Where(p => p.Value == result[i]).Select(p => p.Key));
        }
        return result;
    }

    private static int? ParentOf(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        if (stat.Length == 0)
        {
            return null;
        }
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], out var parent) ? parent : null;
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Replace('\0', ' ').Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ""; // the process exited, or is not ours to read
        }
    }

    private static string WorkingDirectory(string procDir)
    {
        try
        {
            return new DirectoryInfo($"{procDir}/cwd").ResolveLinkTarget(returnFinalTarget: false)?.FullName ?? "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
