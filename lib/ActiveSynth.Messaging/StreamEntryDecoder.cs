using System.Diagnostics;
using Google.Protobuf;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>Result of decoding an entry: a message, or the reason it is poison.</summary>
internal readonly record struct DecodedEntry<T>(StreamMessage<T>? Message, ActivityContext Parent, string? PoisonReason);

/// <summary>
/// Turns a raw stream entry into a typed message. An entry that can never succeed (wrong type, unparsable
/// payload, no id) is reported as poison so the consumer dead-letters it at once instead of retrying.
/// </summary>
internal static class StreamEntryDecoder<T> where T : IMessage<T>, new()
{
    private static readonly MessageParser<T> Parser = new(() => new T());

    public static readonly string TypeName = new T().Descriptor.FullName;

    public static DecodedEntry<T> Decode(StreamEntry entry, string stream, string group, string consumer, int attempt)
    {
        var type = entry[StreamEntryFields.Type];
        if (type.IsNull)
        {
            return Poison($"poison: no '{StreamEntryFields.Type}' field");
        }
        if (type.ToString() != TypeName)
        {
            return Poison($"poison: type '{type}' is not '{TypeName}'");
        }
        var id = entry[StreamEntryFields.Id];
        if (id.IsNullOrEmpty)
        {
            return Poison($"poison: no '{StreamEntryFields.Id}' field");
        }
        var payload = entry[StreamEntryFields.Payload];
        if (payload.IsNull)
        {
            return Poison($"poison: no '{StreamEntryFields.Payload}' field");
        }

        T message;
        try
        {
            message = Parser.ParseFrom((byte[])payload!);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return Poison($"poison: payload does not parse as {TypeName}: {ex.Message}");
        }

        var run = entry[StreamEntryFields.Run];
        var parent = TraceContext.Extract(entry[StreamEntryFields.TraceParent], entry[StreamEntryFields.TraceState]);
        var streamMessage = new StreamMessage<T>(stream, entry.Id.ToString(), id.ToString(), run.IsNull ? "" : run.ToString(), attempt, message)
        {
            Group = group,
            Consumer = consumer,
        };
        return new DecodedEntry<T>(streamMessage, parent, null);
    }

    private static DecodedEntry<T> Poison(string reason) => new(null, default, reason);
}
