using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>One delivered entry and its delivery attempt in the group.</summary>
internal readonly record struct Delivery(StreamEntry Entry, int Attempt);

/// <summary>
/// Attempts are Redis' own delivery counter (XPENDING): it is incremented by XREADGROUP, by a re-read of a
/// consumer's history and by XAUTOCLAIM, and it survives consumer crashes and server restarts (AOF), so no
/// separate counter has to be kept consistent with the pending list. A crash mid-handling therefore counts
/// as an attempt too, which is what stops a message that kills its consumer from looping forever.
/// Entries read with <c>&gt;</c> are first deliveries (count 1); only re-deliveries need this lookup.
/// </summary>
internal static class DeliveryCounts
{
    public static async Task<List<Delivery>> LookUpAsync(IDatabase db, string stream, string group, string consumer, StreamEntry[] entries)
    {
        // One XPENDING per id, issued together: StackExchange.Redis pipelines them into one round trip.
        var lookups = new Task<StreamPendingMessageInfo[]>[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            lookups[i] = db.StreamPendingMessagesAsync(stream, group, 1, consumer, entries[i].Id, entries[i].Id);
        }
        await Task.WhenAll(lookups).ConfigureAwait(false);

        var deliveries = new List<Delivery>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var info = lookups[i].Result;
            // Not pending for us any more (another consumer took it over meanwhile): not ours to handle.
            if (info.Length == 1)
            {
                deliveries.Add(new Delivery(entries[i], info[0].DeliveryCount));
            }
        }
        return deliveries;
    }
}
