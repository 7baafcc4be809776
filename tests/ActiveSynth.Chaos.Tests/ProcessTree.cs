namespace ActiveSynth.Chaos.Tests;

/// <summary>Linux /proc helpers: a process's command line, children and liveness.</summary>
internal static class ProcessTree
{
    public static string CommandLine(int pid) => Read($"/proc/{pid}/cmdline");

    public static bool IsAlive(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        return stat.Length > 0 && stat[(stat.LastIndexOf(')') + 2)] != 'Z';
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
}
