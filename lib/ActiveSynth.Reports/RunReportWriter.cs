using System.Text;
using ActiveSynth.Core.Artifacts;

namespace ActiveSynth.Reports;

/// <summary>
/// Writes a run's report files to the artifact store under <c>runs/&lt;id&gt;/</c>: report.json, report.md, the two PNG
/// learning curves, dataset.jsonl (GSM8K format) and lineage.jsonl. Every write is atomic and returns its sha256. The one
/// writer of reports, whichever transport ran the run (the Selection service or the in-process runner).
/// </summary>
public sealed class RunReportWriter(ArtifactStore artifacts)
{
    public async Task<ReportArtifacts> WriteAsync(ReportInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var report = RunReportBuilder.Build(input);
        var folder = $"runs/{input.State.RunId}";
        var plots = new List<ArtifactInfo>
        {
            await WriteBytesAsync($"{folder}/{LearningCurvePlots.SamplesFile}", LearningCurvePlots.AccuracyVsSamples(report), "image/png", ct).ConfigureAwait(false),
            await WriteBytesAsync($"{folder}/{LearningCurvePlots.TokensFile}", LearningCurvePlots.AccuracyVsTeacherTokens(report), "image/png", ct).ConfigureAwait(false),
        };
        var json = await WriteBytesAsync($"{folder}/report.json", Encoding.UTF8.GetBytes(RunReportJson.Serialize(report)), "application/json", ct).ConfigureAwait(false);
        var markdown = MarkdownReport.Render(report, [LearningCurvePlots.SamplesFile, LearningCurvePlots.TokensFile]);
        var md = await WriteBytesAsync($"{folder}/report.md", Encoding.UTF8.GetBytes(markdown), "text/markdown", ct).ConfigureAwait(false);
        var dataset = await WriteAsync($"{folder}/dataset.jsonl", s => DatasetExport.WriteDataset(input.State, s), "application/jsonl", ct).ConfigureAwait(false);
        var lineage = await WriteAsync($"{folder}/lineage.jsonl", s => DatasetExport.WriteLineage(input, s), "application/jsonl", ct).ConfigureAwait(false);
        return new ReportArtifacts(json, md, dataset, lineage, plots);
    }

    /// <summary>Absolute path of an artifact (for logs).</summary>
    public string FullPath(ArtifactInfo artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return artifacts.Resolve(artifact.Path);
    }

    private Task<ArtifactInfo> WriteBytesAsync(string path, byte[] bytes, string mediaType, CancellationToken ct) =>
        WriteAsync(path, s => s.Write(bytes), mediaType, ct);

    private async Task<ArtifactInfo> WriteAsync(string path, Action<Stream> write, string mediaType, CancellationToken ct)
    {
        var sha = await artifacts.WriteAsync(path, (stream, _) =>
        {
            write(stream);
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);
        return new ArtifactInfo(path, sha, new FileInfo(artifacts.Resolve(path)).Length, mediaType);
    }
}
