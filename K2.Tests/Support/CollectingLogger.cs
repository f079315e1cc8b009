using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace K2.Tests.Support;

/// <summary>Keeps every log line of a host under test, so a test can show what a server was asked and answered.</summary>
public sealed class CollectingLogger : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private sealed class Logger(CollectingLogger owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
    }
}
