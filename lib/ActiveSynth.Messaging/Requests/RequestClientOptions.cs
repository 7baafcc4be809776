using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Messaging.Requests;

/// <summary>A requester's settings (section <c>Messaging:Requests</c>), validated at start.</summary>
public sealed class RequestClientOptions
{
    public const string SectionName = "Messaging:Requests";

    /// <summary>How often a waiting request looks for its stored reply when no notification arrived (a notification is fire-and-forget).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReplyPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a waiting request checks its request stream's dead letters for itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan DeadLetterCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a stored reply is kept at most. Only a backstop: the requester deletes a run's replies when the run finishes
    /// (Completed, Failed, Cancelled), so this bounds what is left by a requester that never got that far, or a late reply
    /// to a run that already finished. 7 days is longer than any run waits for a reply (a resumed run that finds a reply
    /// gone asks again), and short enough that orphans cannot pile up for weeks (30 days let 15 small runs hold 500 MB).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan ReplyTimeToLive { get; set; } = TimeSpan.FromDays(7);
}
