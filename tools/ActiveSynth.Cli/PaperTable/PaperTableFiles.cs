namespace ActiveSynth.Cli.PaperTable;

/// <summary>Writes a paper table's three files next to each other: <c>&lt;base&gt;.json</c>, <c>.md</c> and <c>.png</c>.</summary>
public static class PaperTableFiles
{
    public static async Task WriteAsync(PaperTableReport report, string basePath, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(basePath))!);
        await File.WriteAllTextAsync(basePath + ".json", report.ToJson() + "\n", ct);
        await RenderAsync(report, basePath, ct);
    }

    /// <summary>The Markdown and the PNG of <paramref name="report"/> (what `activesynth report` re-renders from the JSON).</summary>
    public static async Task RenderAsync(PaperTableReport report, string basePath, CancellationToken ct)
    {
        await File.WriteAllTextAsync(basePath + ".md", PaperTableMarkdown.Render(report), ct);
        PaperTablePlot.Write(report, basePath + ".png");
    }
}
