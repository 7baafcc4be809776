using System.Text.RegularExpressions;

namespace ActiveSynth.Architecture.Tests;

/// <summary>
/// Every gRPC API a service maps says which roles may call it (<c>[AllowRoles]</c>), and Program.cs maps nothing else: a keyed
/// deployment refuses a method without roles, so an API without the attribute would be closed by accident, not by design.
/// </summary>
public sealed partial class RoleRuleTests
{
    private static readonly ProjectGraph Graph = ProjectGraph.Load();

    [Fact]
    public void Every_mapped_grpc_api_declares_its_roles()
    {
        var programs = Directory.EnumerateFiles(Path.Combine(Graph.Root, "services"), "Program.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        var mapped = programs.SelectMany(p => MapGrpcService().Matches(File.ReadAllText(p))
            .Select(m => (Service: Path.GetDirectoryName(p)!, Api: m.Groups[1].Value))).ToList();
        Assert.True(mapped.Count >= 7, $"found only {mapped.Count} mapped APIs");

        var missing = mapped.Where(m =>
        {
            var file = Directory.EnumerateFiles(m.Service, $"{m.Api}.cs", SearchOption.AllDirectories).Single();
            return !Regex.IsMatch(File.ReadAllText(file), $@"\[AllowRoles\([^)]*\)\]\s*public sealed class {m.Api}\b");
        }).Select(m => m.Api);
        Assert.Empty(missing);
    }

    [GeneratedRegex(@"MapGrpcService<(\w+)>")]
    private static partial Regex MapGrpcService();
}
