using Microsoft.Extensions.Logging;

namespace TokenRotation.Cli.Output;

/// <summary>
/// Progress on stderr while a command waits: every retry of a NetSuite call (from the resilience pipeline's
/// telemetry, logged under "Polly") and, while the work runs longer than a few seconds, a line every few seconds
/// saying what it is waiting for. Without this a retry loop can run for 20 seconds and more in silence.
/// </summary>
public sealed class ProgressReporter(TextWriter error, Style style) : ILoggerProvider
{
    /// <summary>How long work may run before the first "still waiting" line, and how often it repeats.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();

    /// <summary>What the command is waiting for, for the "still waiting" lines.</summary>
    public string Waiting { get; set; } = "NetSuite";

    /// <summary>Starts the "still waiting" lines; dispose to stop them.</summary>
    public IDisposable Start()
    {
        var started = DateTimeOffset.UtcNow;
        return new Timer(_ => Write($"  ... still waiting for {Waiting} ({(DateTimeOffset.UtcNow - started).TotalSeconds:0} s so far)"), null, Interval, Interval);
    }

    public ILogger CreateLogger(string categoryName) => categoryName.StartsWith("Polly", StringComparison.Ordinal) ? new RetryLogger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    internal void Write(string line)
    {
        lock (_gate)
        {
            error.WriteLine(style.Dim(line));
            error.Flush();
        }
    }

    private sealed class RetryLogger(ProgressReporter owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                return;
            }

            string? Value(string key) => values.FirstOrDefault(v => v.Key == key).Value?.ToString();
            if (Value("Attempt") is { } attempt && string.Equals(Value("Handled"), "True", StringComparison.OrdinalIgnoreCase) && int.TryParse(attempt, out var number))
            {
                // Attempt is 0-based: attempt 0 failing means the first retry is next.
                owner.Write($"  ... NetSuite answered {Describe(Value("Result"))} to {owner.Waiting}; retrying (retry {number + 1}, waiting a little longer each time)");
            }
            else if (Value("EventName") is "OnCircuitOpened")
            {
                owner.Write("  ... NetSuite keeps failing: calls for this account pause for a while (circuit open)");
            }
        }

        private static string Describe(string? result) => result is null or "" ? "nothing" : int.TryParse(result, out var status) ? $"HTTP {status}" : result.Length > 80 ? result[..80] + "…" : result;
    }
}
