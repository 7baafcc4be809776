namespace ActiveSynth.Messaging.Requests;

/// <summary>A request got no reply: its worker dead-lettered it, or none answered within the timeout.</summary>
public sealed class RequestFailedException(string message) : Exception(message);
