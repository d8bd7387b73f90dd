namespace KeyVault.TestServer;

/// <summary>How an injected fault shows itself.</summary>
public enum KeyVaultFaultMode
{
    /// <summary>Answer with the fault's status code; the operation is not performed.</summary>
    FailBeforeProcessing,
    /// <summary>Perform the operation, then answer with the fault's status code (the response is "lost").</summary>
    FailAfterProcessing,
    /// <summary>Abort the connection without performing the operation.</summary>
    AbortBeforeProcessing,
    /// <summary>Perform the operation, then abort the connection.</summary>
    AbortAfterProcessing,
}

/// <summary>A fault rule: which requests it hits, how, and how many times.</summary>
public sealed class KeyVaultFault
{
    private int _triggered;

    /// <summary>Only this operation (null: any operation the server serves).</summary>
    public KeyVaultOperation? Operation { get; init; }

    /// <summary>Only this secret, certificate or key name (null: any).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Only requests that name no version, such as <c>PATCH /secrets/{name}/</c> for the latest version (a vault that
    /// refuses those answers 400 or 405 while accepting the same request with an explicit version).
    /// </summary>
    public bool OnlyWithoutVersion { get; init; }

    /// <summary>Status code answered (default 503).</summary>
    public int StatusCode { get; init; } = 503;

    /// <summary>How the fault shows itself.</summary>
    public KeyVaultFaultMode Mode { get; init; } = KeyVaultFaultMode.FailBeforeProcessing;

    /// <summary>Optional <c>retry-after-ms</c> header on the fault answer.</summary>
    public int? RetryAfterMilliseconds { get; init; }

    /// <summary>How many requests the rule hits; <see cref="int.MaxValue"/> for every matching request.</summary>
    public int Times { get; init; } = 1;

    /// <summary>How many requests the rule has hit so far.</summary>
    public int Triggered => Volatile.Read(ref _triggered);

    /// <summary>True once the rule has hit <see cref="Times"/> requests.</summary>
    public bool Exhausted => Triggered >= Times;

    internal bool Matches(KeyVaultOperation operation, string? name, string? version) =>
        operation != KeyVaultOperation.Unknown
        && (Operation is null || Operation == operation)
        && (Name is null || string.Equals(Name, name, StringComparison.OrdinalIgnoreCase))
        && (!OnlyWithoutVersion || string.IsNullOrEmpty(version));

    internal bool TryConsume()
    {
        while (true)
        {
            var current = Volatile.Read(ref _triggered);
            if (current >= Times)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _triggered, current + 1, current) == current)
            {
                return true;
            }
        }
    }
}

/// <summary>Injectable faults and latency. Rules are checked in the order they were added.</summary>
public sealed class KeyVaultFaults
{
    private readonly Lock _gate = new();
    private readonly List<KeyVaultFault> _rules = [];
    private readonly List<Latency> _latencies = [];

    /// <summary>Adds a rule and returns it (its <see cref="KeyVaultFault.Triggered"/> shows how often it hit).</summary>
    public KeyVaultFault Add(KeyVaultFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            _rules.Add(fault);
        }

        return fault;
    }

    /// <summary>The next <paramref name="count"/> requests (any served operation) fail with <paramref name="statusCode"/>.</summary>
    public KeyVaultFault FailNext(int count, int statusCode = 503) =>
        Add(new KeyVaultFault { Times = count, StatusCode = statusCode });

    /// <summary>The next <paramref name="count"/> requests of one operation (optionally one name) fail.</summary>
    public KeyVaultFault FailOperation(KeyVaultOperation operation, int count = 1, int statusCode = 503, string? name = null,
        KeyVaultFaultMode mode = KeyVaultFaultMode.FailBeforeProcessing) =>
        Add(new KeyVaultFault { Operation = operation, Times = count, StatusCode = statusCode, Name = name, Mode = mode });

    /// <summary>
    /// Every secret property update that names no version (<c>PATCH /secrets/{name}/</c>) is refused with
    /// <paramref name="statusCode"/> (405 or 400, as some Key Vault implementations answer); updates of an explicit
    /// version still work.
    /// </summary>
    public KeyVaultFault RefuseVersionlessUpdates(int statusCode = 405) =>
        Add(new KeyVaultFault { Operation = KeyVaultOperation.UpdateSecretProperties, OnlyWithoutVersion = true, StatusCode = statusCode, Times = int.MaxValue });

    /// <summary>
    /// Adds real (wall-clock) latency before every request of <paramref name="operation"/> (null: all requests).
    /// It models the network, not expiry, so it does not use the server's TimeProvider.
    /// </summary>
    public void AddLatency(TimeSpan latency, KeyVaultOperation? operation = null) => AddLatency(latency, int.MaxValue, operation);

    /// <summary>
    /// Slow answers: real (wall-clock) latency before each of the next <paramref name="count"/> requests of
    /// <paramref name="operation"/> (null: any request), after which requests are fast again.
    /// </summary>
    public void AddLatency(TimeSpan latency, int count, KeyVaultOperation? operation = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            _latencies.Add(new Latency(latency, operation) { Remaining = count });
        }
    }

    /// <summary>Removes every rule and latency.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _latencies.Clear();
        }
    }

    internal TimeSpan LatencyFor(KeyVaultOperation operation)
    {
        lock (_gate)
        {
            var total = TimeSpan.Zero;
            foreach (var latency in _latencies)
            {
                if ((latency.Operation is null || latency.Operation == operation) && latency.Remaining > 0)
                {
                    total += latency.Delay;
                    if (latency.Remaining != int.MaxValue)
                    {
                        latency.Remaining--;
                    }
                }
            }

            _latencies.RemoveAll(l => l.Remaining == 0);
            return total;
        }
    }

    internal KeyVaultFault? TakeMatching(KeyVaultOperation operation, string? name, string? version = null)
    {
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (rule.Matches(operation, name, version) && rule.TryConsume())
                {
                    return rule;
                }
            }

            return null;
        }
    }
}
