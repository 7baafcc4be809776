using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Messaging;

/// <summary>Settings of the background job that refreshes group gauges and trims consumed streams
/// (configuration section <c>Messaging:Maintenance</c>).</summary>
public sealed class StreamMaintenanceOptions
{
    /// <summary>Time between two passes over the streams this host consumes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Trim entries every group has acked. Off: streams grow until trimmed elsewhere.</summary>
    public bool TrimEnabled { get; set; } = true;
}
