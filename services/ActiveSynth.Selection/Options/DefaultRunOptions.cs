using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Selection.Options;

/// <summary>The run started once per deployment when every worker is consuming (section <c>Selection:DefaultRun</c>).</summary>
public sealed class DefaultRunOptions
{
    public const string SectionName = "Selection:DefaultRun";

    /// <summary>Off: no default run.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>JSON of a RunSpec (protobuf JSON, e.g. <c>{"samplesPerRound": 32, ...}</c>); empty = the built-in embedded spec.</summary>
    public string? SpecFile { get; set; }

    /// <summary>How long one readiness probe of the workers waits for their replies.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause between readiness probes while a worker kind has not answered.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ProbeRetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}
