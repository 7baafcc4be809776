using System.Reflection;

namespace ActiveSynth.AppHost.Redis;

/// <summary>
/// Finds a redis-server executable: an explicit path, then PATH, then the copy that the build fetched
/// into the repository's tools folder (build/fetch-redis-server.sh). Shared, as a linked source file,
/// by the AppHost and the test fixtures so both run exactly the same server.
/// </summary>
public static class RedisServerLocator
{
    public const string ToolsDirMetadataKey = "ActiveSynth.RedisToolsDir";

    /// <summary>Returns the full path of redis-server, or null with the places that were searched.</summary>
    public static string? Find(string? explicitPath, Assembly stampedAssembly, out IReadOnlyList<string> searched)
    {
        var places = new List<string>();
        searched = places;
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            places.Add(explicitPath);
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        places.Add("PATH");

        var toolsDir = stampedAssembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == ToolsDirMetadataKey)?.Value;
        if (!string.IsNullOrEmpty(toolsDir))
        {
            var candidate = Path.Combine(toolsDir, "redis-server");
            places.Add(candidate);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
