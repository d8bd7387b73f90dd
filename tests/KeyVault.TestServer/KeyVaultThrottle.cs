namespace KeyVault.TestServer;

/// <summary>Information about one throttled request, given to <see cref="KeyVaultThrottle.Throttled"/>.</summary>
/// <param name="Budget">The budget that was spent.</param>
/// <param name="Operation">The operation that was refused.</param>
/// <param name="Name">The secret (or certificate, key) name, when the operation has one.</param>
/// <param name="WindowResetsIn">Time left in the window on the server's clock.</param>
public sealed record KeyVaultThrottleEvent(KeyVaultBudget Budget, KeyVaultOperation Operation, string? Name, TimeSpan WindowResetsIn);

/// <summary>
/// Both Key Vault throttle budgets as fixed windows on the server's TimeProvider: a window starts with the first
/// request after the previous one ended. Limits may be changed while the server runs.
/// </summary>
public sealed class KeyVaultThrottle
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Window _reads = new();
    private readonly Window _writes = new();

    internal KeyVaultThrottle(KeyVaultTestServerOptions options)
    {
        _time = options.TimeProvider;
        ReadBudget = options.ReadBudget;
        WriteBudget = options.WriteBudget;
        WindowLength = options.ThrottleWindow;
        RetryAfterMilliseconds = options.RetryAfterMilliseconds;
    }

    /// <summary>
    /// Raised synchronously before a 429 is sent, so a test can move its fake clock and make the SDK's retry succeed
    /// deterministically. Handlers run on the server's request thread; keep them short.
    /// </summary>
    public event Action<KeyVaultThrottleEvent>? Throttled;

    /// <summary>Read/list transactions allowed per window.</summary>
    public int ReadBudget { get; set; }

    /// <summary>Writes allowed per window.</summary>
    public int WriteBudget { get; set; }

    /// <summary>Window length on the server's clock.</summary>
    public TimeSpan WindowLength { get; set; }

    /// <summary>Value of <c>retry-after-ms</c> on a 429; null sends the true time left in the window.</summary>
    public int? RetryAfterMilliseconds { get; set; }

    /// <summary>Reads counted in the current window.</summary>
    public int ReadsInWindow
    {
        get
        {
            lock (_gate)
            {
                return _reads.CountAt(_time.GetUtcNow(), WindowLength);
            }
        }
    }

    /// <summary>Writes counted in the current window.</summary>
    public int WritesInWindow
    {
        get
        {
            lock (_gate)
            {
                return _writes.CountAt(_time.GetUtcNow(), WindowLength);
            }
        }
    }

    /// <summary>Forgets both windows.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _reads.Start = null;
            _reads.Count = 0;
            _writes.Start = null;
            _writes.Count = 0;
        }
    }

    internal bool TryAcquire(KeyVaultBudget budget, out TimeSpan windowResetsIn)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var window = budget == KeyVaultBudget.Write ? _writes : _reads;
            var limit = budget == KeyVaultBudget.Write ? WriteBudget : ReadBudget;
            if (window.Start is null || now >= window.Start.Value + WindowLength || now < window.Start.Value)
            {
                window.Start = now;
                window.Count = 0;
            }

            if (window.Count < limit)
            {
                window.Count++;
                windowResetsIn = TimeSpan.Zero;
                return true;
            }

            windowResetsIn = window.Start.Value + WindowLength - now;
            return false;
        }
    }

    internal void RaiseThrottled(KeyVaultThrottleEvent e) => Throttled?.Invoke(e);

    private sealed class Window
    {
        public DateTimeOffset? Start;
        public int Count;

        public int CountAt(DateTimeOffset now, TimeSpan length) =>
            Start is { } start && now >= start && now < start + length ? Count : 0;
    }
}
