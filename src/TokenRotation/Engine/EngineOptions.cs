namespace TokenRotation.Engine;

/// <summary>Engine tunables that are not user policy (bound from <c>Engine</c>; defaults suit production).</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>A run waits inline for a retry due this soon (for example the next TOTP window) instead of ending.</summary>
    public TimeSpan MaxInlineWait { get; set; } = TimeSpan.FromSeconds(35);

    /// <summary>First retry delay after a failure; doubles per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How many connections of one account the worker processes in one message.</summary>
    public int MaxConnectionsPerMessage { get; set; } = 500;

    /// <summary>
    /// How many accounts a local dispatcher (<see cref="LocalWorkDispatcher"/>: the CLI, the demo, the benchmark) works
    /// on at once. Within an account the work stays sequential and the per-account gate still holds. The Functions host
    /// has its own knob for the same thing: host.json <c>extensions.queues.batchSize</c>.
    /// </summary>
    public int WorkerParallelism { get; set; } = 16;

    /// <summary>
    /// Retries of a state write that holds a new single-use token, after the Key Vault SDK's own retries. With the
    /// delay below they stay well inside a lease (each attempt checks the lease first).
    /// </summary>
    public int SingleUseSaveRetries { get; set; } = 3;

    /// <summary>First delay between those retries; it doubles (1 s, 2 s, 4 s by default).</summary>
    public TimeSpan SingleUseSaveRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest time a token journal entry is kept (shorter when the token ends sooner).</summary>
    public TimeSpan JournalEntryLifetime { get; set; } = TimeSpan.FromDays(2);
}
