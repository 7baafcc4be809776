using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>An entry to move to the dead-letter stream and why.</summary>
internal readonly record struct DeadLetter(StreamEntry Entry, int Deliveries, string Reason);

/// <summary>
/// Moves entries to <c>&lt;stream&gt;:dead</c> and acks them on the source in one MULTI/EXEC, so an entry
/// is never both lost (acked without a dead letter) nor dead-lettered and still pending.
/// </summary>
internal static class DeadLetterWriter
{
    private const int MaxErrorLength = 2000;

    public static async Task WriteAsync(IDatabase db, string stream, string group, string consumer, int maxLength, IReadOnlyList<DeadLetter> letters)
    {
        var deadStream = StreamKeys.DeadLetter(stream);
        var tx = db.CreateTransaction();
        var pending = new List<Task>(letters.Count + 1);
        foreach (var letter in letters)
        {
            var fields = new List<NameValueEntry>();
            foreach (var value in letter.Entry.Values ?? [])
            {
                if (!IsDeadLetterField(value.Name))
                {
                    fields.Add(value);
                }
            }
            fields.Add(new NameValueEntry(StreamEntryFields.Error, Truncate(letter.Reason)));
            fields.Add(new NameValueEntry(StreamEntryFields.SourceStream, stream));
            fields.Add(new NameValueEntry(StreamEntryFields.SourceEntryId, letter.Entry.Id));
            fields.Add(new NameValueEntry(StreamEntryFields.Group, group));
            fields.Add(new NameValueEntry(StreamEntryFields.Consumer, consumer));
            fields.Add(new NameValueEntry(StreamEntryFields.Deliveries, letter.Deliveries));
            pending.Add(tx.StreamAddAsync(deadStream, [.. fields], maxLength: maxLength, useApproximateMaxLength: true));
        }
        pending.Add(tx.StreamAcknowledgeAsync(stream, group, [.. letters.Select(l => l.Entry.Id)]));
        if (!await tx.ExecuteAsync().ConfigureAwait(false))
        {
            throw new InvalidOperationException("Dead-letter transaction was not executed.");
        }
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>Error text of a failed handler: type and message of the exception and its inner ones, never a stack trace.</summary>
    public static string Describe(Exception exception)
    {
        var text = $"{exception.GetType().FullName}: {exception.Message}";
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            text += $" ---> {inner.GetType().FullName}: {inner.Message}";
        }
        return text;
    }

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];

    private static bool IsDeadLetterField(RedisValue name) =>
        name == StreamEntryFields.Error || name == StreamEntryFields.SourceStream || name == StreamEntryFields.SourceEntryId
        || name == StreamEntryFields.Group || name == StreamEntryFields.Consumer || name == StreamEntryFields.Deliveries;
}
