namespace ActiveSynth.Messaging.Requests;

/// <summary>How a worker answers <typeparamref name="TRequest"/>: its route and reply policy (one registration per request type).</summary>
public sealed record RequestRegistration<TRequest>(RequestRoute Route, ReplyPolicy Policy);
