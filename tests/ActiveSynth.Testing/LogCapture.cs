using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Testing;

/// <summary>
/// A logger provider that keeps every entry, formatted as a sink would write it (message and exception text), with its
/// structured values: what a test scans for text that must never be logged (a key, a password in a URL).
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    /// <summary>Every entry's message, exception and structured values as one text per entry.</summary>
    public IEnumerable<string> Texts => Entries.Select(e => e.Text);

    public ILoggerFactory Factory() => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(this));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            owner.Entries.Enqueue(new CapturedLog(category, eventId.Id, logLevel, $"{formatter(state, exception)} | {values} | {exception}"));
        }
    }
}

/// <summary>One log entry: its category, event id, level and everything it would print.</summary>
public sealed record CapturedLog(string Category, int EventId, LogLevel Level, string Text);
