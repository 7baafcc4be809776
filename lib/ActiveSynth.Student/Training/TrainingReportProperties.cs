using System.Globalization;

namespace ActiveSynth.Student.Training;

/// <summary>
/// A round's training report as checkpoint manifest properties, so a redelivered request that finds the checkpoint
/// already written answers with the report of the training that wrote it.
/// </summary>
public static class TrainingReportProperties
{
    public static Dictionary<string, string> Write(TrainingReport report, IReadOnlyDictionary<string, string> properties, string startedFrom)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new Dictionary<string, string>(properties)
        {
            ["train_steps"] = report.Steps.ToString(CultureInfo.InvariantCulture),
            ["train_final_loss"] = report.FinalLoss.ToString("R", CultureInfo.InvariantCulture),
            ["train_loss_curve"] = string.Join(",", report.LossCurve.Select(l => l.ToString("R", CultureInfo.InvariantCulture))),
            ["train_tokens"] = report.TokensTrained.ToString(CultureInfo.InvariantCulture),
            ["train_seconds"] = report.Duration.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture),
            ["started_from"] = startedFrom,
        };
    }

    public static TrainingReport Read(IReadOnlyDictionary<string, string> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        double D(string k) => p.TryGetValue(k, out var v) && double.TryParse(v, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
        double OrZero(string k) => double.IsNaN(D(k)) ? 0 : D(k);
        var curve = p.TryGetValue("train_loss_curve", out var c) && c.Length > 0
            ? c.Split(',').Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToList()
            : [];
        return new TrainingReport((int)OrZero("train_steps"), D("train_final_loss"), curve, (long)OrZero("train_tokens"), TimeSpan.FromSeconds(OrZero("train_seconds")));
    }
}
