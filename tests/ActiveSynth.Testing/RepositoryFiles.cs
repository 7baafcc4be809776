namespace ActiveSynth.Testing;

/// <summary>Files of the repository itself (samples, docs), found from a test's output folder.</summary>
public static class RepositoryFiles
{
    /// <summary>The folder holding ActiveSynth.Aspire.sln above the test's output folder.</summary>
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ActiveSynth.Aspire.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("the repository root (ActiveSynth.Aspire.sln) was not found above the test's folder");
    }

    /// <summary><paramref name="parts"/> under the repository root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root(), .. parts]);
}
