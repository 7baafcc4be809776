namespace ActiveSynth.Messaging.Requests;

/// <summary>How often a worker answers one request id, given that a stream can deliver an id more than once.</summary>
public enum ReplyPolicy
{
    /// <summary>Every delivery is handled and replied to: for work without side effects (a duplicate reply carries the same id).</summary>
    EveryDelivery,

    /// <summary>A request whose reply was published is not handled again (an effect marker per id, set after publishing).</summary>
    Once,

    /// <summary>As <see cref="Once"/>, and one replica at a time holds the id's <see cref="IRequestLease"/> while handling it.</summary>
    OnceUnderLease,
}
