namespace ActiveSynth.Messaging.Requests;

/// <summary>Where one kind of request travels: its request stream, and the stream its workers publish replies on.</summary>
public sealed record RequestRoute(string RequestStream, string ReplyStream);
