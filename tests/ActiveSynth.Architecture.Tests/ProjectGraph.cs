using System.Xml.Linq;

namespace ActiveSynth.Architecture.Tests;

/// <summary>The repository's projects and their direct references, read from the .csproj files themselves.</summary>
public sealed class ProjectGraph
{
    private ProjectGraph(string root, IReadOnlyDictionary<string, ProjectInfo> projects)
    {
        Root = root;
        Projects = projects;
    }

    public string Root { get; }

    /// <summary>Keyed by repository-relative path with forward slashes, e.g. <c>lib/ActiveSynth.Core/ActiveSynth.Core.csproj</c>.</summary>
    public IReadOnlyDictionary<string, ProjectInfo> Projects { get; }

    public static ProjectGraph Load()
    {
        var root = FindRoot();
        var projects = Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}.tools{Path.DirectorySeparatorChar}"))
            .Select(p => ProjectInfo.Read(root, p))
            .ToDictionary(p => p.Path);
        return new ProjectGraph(root, projects);
    }

    /// <summary>Every project reachable from <paramref name="path"/> through project references (itself excluded).</summary>
    public IReadOnlySet<string> Closure(string path)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>(Projects[path].ProjectReferences);
        while (stack.TryPop(out var next))
        {
            if (seen.Add(next) && Projects.TryGetValue(next, out var info))
            {
                foreach (var reference in info.ProjectReferences)
                {
                    stack.Push(reference);
                }
            }
        }
        return seen;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActiveSynth.Aspire.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ActiveSynth.Aspire.sln not found above the test's output folder.");
    }
}

public sealed record ProjectInfo(string Path, IReadOnlyList<string> ProjectReferences, IReadOnlyList<string> PackageReferences)
{
    public static ProjectInfo Read(string root, string fullPath)
    {
        var doc = XDocument.Load(fullPath);
        var dir = System.IO.Path.GetDirectoryName(fullPath)!;
        var projects = doc.Descendants("ProjectReference")
            .Select(e => Relative(root, System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, e.Attribute("Include")!.Value))))
            .ToList();
        var packages = doc.Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value).ToList();
        return new ProjectInfo(Relative(root, fullPath), projects, packages);
    }

    private static string Relative(string root, string path) => System.IO.Path.GetRelativePath(root, path).Replace('\\', '/');
}
