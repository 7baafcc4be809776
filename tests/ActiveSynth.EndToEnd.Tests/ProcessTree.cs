namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// Linux /proc helpers. DCP starts services and redis-server outside the AppHost's process tree, so a run's
/// processes are found by a marker (a unique folder) in their command line, environment or working directory.
/// </summary>
internal static class ProcessTree
{
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
            if (commandLine.Contains(marker, StringComparison.Ordinal)
                || Read($"{dir}/environ").Contains(marker, StringComparison.Ordinal)
                || WorkingDirectory(dir).StartsWith(marker, StringComparison.Ordinal))
            {
                result[pid] = commandLine;
            }
        }
        return result;
    }

    public static bool IsAlive(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        return stat.Length > 0 && stat[(stat.LastIndexOf(')') + 2)] != 'Z';
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
