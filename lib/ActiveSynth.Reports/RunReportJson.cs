using System.Text.Json;

namespace ActiveSynth.Reports;

/// <summary>The JSON form of <see cref="RunReport"/> (report.json): camelCase, indented.</summary>
public static class RunReportJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Serialize(RunReport report) => JsonSerializer.Serialize(report, Options);

    public static RunReport Deserialize(string json) =>
        JsonSerializer.Deserialize<RunReport>(json, Options) ?? throw new JsonException("Report JSON is null.");
}
