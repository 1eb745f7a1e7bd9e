using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Calendly.Simulator.Tests.Support;

/// <summary>Errors the simulator logged (an unexpected exception behind a 500), for the failure message of a test.</summary>
public sealed class CapturedErrors : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedErrors sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) sink.Entries.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
