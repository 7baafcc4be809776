using System.Text.Json;

namespace ActiveSynth.Cli.PaperTable;

/// <summary>
/// The finished runs of a paper table, one JSON line each, appended as runs finish: what makes a table resumable across
/// deployments (a fresh deployment holds none of the earlier runs). Lines are only ever appended; the last record of a run id wins.
/// </summary>
public sealed class PaperTableCache(string path)
{
    private static readonly JsonSerializerOptions Line = new(PaperTableReport.JsonOptions) { WriteIndented = false };

    private readonly SemaphoreSlim _write = new(1, 1);

    /// <summary>The cached runs by id, and those of an earlier report at <paramref name="reportPath"/> (null: none).</summary>
    public async Task<Dictionary<string, PaperTableRun>> LoadAsync(string? reportPath, CancellationToken ct)
    {
        var runs = new Dictionary<string, PaperTableRun>(StringComparer.Ordinal);
        if (reportPath is not null)
        {
            foreach (var run in PaperTableReport.Read(await File.ReadAllTextAsync(reportPath, ct)).Runs)
            {
                runs[run.RunId] = run;
            }
        }
        if (File.Exists(path))
        {
            foreach (var line in await File.ReadAllLinesAsync(path, ct))
            {
                if (line.Length > 0 && JsonSerializer.Deserialize<PaperTableRun>(line, PaperTableReport.JsonOptions) is { } run)
                {
                    runs[run.RunId] = run;
                }
            }
        }
        return runs;
    }

    public async Task AppendAsync(PaperTableRun run, CancellationToken ct)
    {
        await _write.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.AppendAllTextAsync(path, JsonSerializer.Serialize(run, Line) + "\n", ct);
        }
        finally
        {
            _write.Release();
        }
    }
}
