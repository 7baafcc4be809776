using System.Text;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// Everything the AppHost itself logs (its own messages, DCP's, and the resource logs the testing host forwards), kept as text
/// for the secret scan: a logger provider added to the AppHost's services before it is built.
/// </summary>
public sealed class AppHostLogCapture : ILoggerProvider
{
    private readonly StringBuilder _text = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public string Snapshot()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }

    public void Dispose()
    {
    }

    private void Append(string category, LogLevel level, string message, Exception? exception)
    {
        lock (_text)
        {
            _text.Append(level).Append(' ').Append(category).Append(": ").AppendLine(message);
            if (exception is not null)
            {
                _text.AppendLine(exception.ToString());
            }
        }
    }

    private sealed class Logger(AppHostLogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            owner.Append(category, logLevel, formatter(state, exception), exception);
        }
    }
}
