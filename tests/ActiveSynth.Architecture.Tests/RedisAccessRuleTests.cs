namespace ActiveSynth.Architecture.Tests;

/// <summary>Who talks to Redis directly: Messaging among the libraries, the run store within the Selection service.</summary>
public sealed class RedisAccessRuleTests
{
    private static readonly ProjectGraph Graph = ProjectGraph.Load();

    [Fact]
    public void Among_the_libraries_only_messaging_holds_a_redis_connection()
    {
        var offenders = Holders("lib").Where(f => !f.StartsWith("lib/ActiveSynth.Messaging/", StringComparison.Ordinal));
        Assert.Empty(offenders);
        Assert.NotEmpty(Holders("lib"));
    }

    [Fact]
    public void The_selection_service_reaches_redis_only_through_messaging_and_its_run_store()
    {
        Assert.Equal(["services/ActiveSynth.Selection/Runs/RedisRunStore.cs"], Holders("services/ActiveSynth.Selection"));
    }

    private static List<string> Holders(string folder) =>
        [.. Directory.EnumerateFiles(Path.Combine(Graph.Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && File.ReadAllText(f).Contains("IConnectionMultiplexer", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Graph.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];
}
