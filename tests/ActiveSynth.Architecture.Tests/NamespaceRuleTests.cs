using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ActiveSynth.Architecture.Tests;

/// <summary>Every namespace is its project's root namespace plus the folder path, and no type needs an alias to be told apart.</summary>
public sealed partial class NamespaceRuleTests
{
    private static readonly ProjectGraph Graph = ProjectGraph.Load();

    // Aspire's service-defaults convention: its extensions sit in the host builder's namespace (the one justified exception).
    private static readonly string[] Exceptions = ["ActiveSynth.ServiceDefaults/Extensions.cs"];

    [Fact]
    public void The_build_treats_a_namespace_that_does_not_match_its_folder_as_an_error()
    {
        var editorConfig = File.ReadAllText(Path.Combine(Graph.Root, ".editorconfig"));
        Assert.Contains("dotnet_style_namespace_match_folder = true", editorConfig, StringComparison.Ordinal);
        Assert.Contains("dotnet_diagnostic.IDE0130.severity = error", editorConfig, StringComparison.Ordinal);
        var props = File.ReadAllText(Path.Combine(Graph.Root, "Directory.Build.props"));
        Assert.Contains("<EnforceCodeStyleInBuild>true</EnforceCodeStyleInBuild>", props, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_namespace_is_the_project_root_namespace_plus_the_folder()
    {
        var checkedFiles = 0;
        var offenders = new List<string>();
        foreach (var project in Graph.Projects.Keys)
        {
            var projectFile = Path.Combine(Graph.Root, project);
            var projectDir = Path.GetDirectoryName(projectFile)!;
            var rootNamespace = XDocument.Load(projectFile).Descendants("RootNamespace").FirstOrDefault()?.Value
                ?? Path.GetFileNameWithoutExtension(projectFile);
            foreach (var file in SourceFiles(projectDir))
            {
                var relative = Path.GetRelativePath(Graph.Root, file).Replace('\\', '/');
                var declared = FileScopedNamespace().Match(File.ReadAllText(file));
                if (!declared.Success || Exceptions.Contains(relative))
                {
                    continue; // top-level statements (Program.cs) declare none
                }
                var folder = Path.GetRelativePath(projectDir, Path.GetDirectoryName(file)!);
                var expected = folder == "." ? rootNamespace : $"{rootNamespace}.{folder.Replace(Path.DirectorySeparatorChar, '.')}";
                checkedFiles++;
                if (declared.Groups[1].Value != expected)
                {
                    offenders.Add($"{relative}: {declared.Groups[1].Value}, expected {expected}");
                }
            }
        }
        Assert.True(checkedFiles > 300, $"only {checkedFiles} files checked");
        Assert.Empty(offenders);
    }

    [Fact]
    public void No_file_needs_an_alias_to_tell_our_types_apart()
    {
        // An alias for one of our own types means two of them share a name (Core's loop state and the contract's run state did).
        var offenders = Graph.Projects.Keys
            .SelectMany(p => SourceFiles(Path.GetDirectoryName(Path.Combine(Graph.Root, p))!))
            .SelectMany(f => OwnTypeAlias().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetRelativePath(Graph.Root, f)}: {m.Value.Trim()}"))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void A_public_type_name_is_declared_once_in_the_libraries_services_and_tools()
    {
        var declarations = Graph.Projects.Keys
            .Where(p => !p.StartsWith("tests/", StringComparison.Ordinal) && !p.StartsWith("benchmarks/", StringComparison.Ordinal))
            .SelectMany(p => SourceFiles(Path.GetDirectoryName(Path.Combine(Graph.Root, p))!)
                .SelectMany(f => PublicType().Matches(File.ReadAllText(f)).Select(m => (Name: m.Groups[2].Value, Partial: m.Groups[1].Value.Contains("partial", StringComparison.Ordinal), File: Path.GetRelativePath(Graph.Root, f)))))
            .ToList();
        var repeated = declarations.GroupBy(d => d.Name)
            .Where(g => g.Count() > 1 && !g.All(d => d.Partial))
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(d => d.File))}");
        Assert.NotEmpty(declarations);
        Assert.Empty(repeated);
    }

    private static IEnumerable<string> SourceFiles(string projectDir) =>
        Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();

    [GeneratedRegex(@"^using \w+ = ActiveSynth\.(Core|Contracts|Engine|Student|Teachers|Reports)\.[\w.]+;", RegexOptions.Multiline)]
    private static partial Regex OwnTypeAlias();

    [GeneratedRegex(@"^public ((?:sealed |static |abstract |readonly |partial )*)(?:record struct|record|class|enum|struct|interface) (\w+)", RegexOptions.Multiline)]
    private static partial Regex PublicType();
}
