using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TokenRotation.Coordination;

/// <summary>
/// Leases held in this process, on a <see cref="TimeProvider"/>: for the CLI demo and for long simulated runs on a
/// fake clock. A lease expires when the clock passes its expiry without a renewal: another acquirer then takes it.
/// The holder renews when it calls <see cref="ILease.EnsureHeld"/> and, unless disabled, on a timer made from the
/// same clock (a third of the duration), so a lease held across a simulated month stays held as long as the clock
/// fires that timer (FakeTimeProvider fires it, late, after each jump).
/// </summary>
internal sealed class InMemoryLeaseProvider : ILeaseProvider
{
    private readonly Dictionary<string, Holder> _holders = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _safetyMargin;
    private readonly bool _renewOnTimer;
    private readonly ILogger _logger;

    /// <param name="timeProvider">The clock leases expire on.</param>
    /// <param name="options">Lease duration and safety margin; defaults when null.</param>
    /// <param name="renewOnTimer">Renew on a timer from <paramref name="timeProvider"/>; when false only <see cref="ILease.EnsureHeld"/> renews.</param>
    /// <param name="logger">Receives lease losses.</param>
    public InMemoryLeaseProvider(TimeProvider timeProvider, CoordinationOptions? options = null, bool renewOnTimer = true, ILogger<InMemoryLeaseProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new CoordinationOptions();
        if (options.LeaseSafetyMargin >= options.LeaseDuration)
        {
            throw new ArgumentException("The lease safety margin must be shorter than the lease duration.", nameof(options));
        }

        _time = timeProvider;
        _duration = options.LeaseDuration;
        _safetyMargin = options.LeaseSafetyMargin;
        _renewOnTimer = renewOnTimer;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Keys currently held and not expired.</summary>
    public IReadOnlyCollection<string> HeldKeys
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_holders)
            {
                return _holders.Where(h => h.Value.ExpiresAt > now).Select(h => h.Key).ToArray();
            }
        }
    }

    public Task<ILease?> TryAcquireAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        cancellationToken.ThrowIfCancellationRequested();
        var sentAt = _time.GetTimestamp();
        var now = _time.GetUtcNow();
        var id = Guid.NewGuid();
        lock (_holders)
        {
            if (_holders.TryGetValue(key, out var current) && current.ExpiresAt > now)
            {
                return Task.FromResult<ILease?>(null);
            }

            _holders[key] = new Holder(id, now + _duration);
        }

        var lease = new InMemoryLease(this, key, id, sentAt);
        lease.Start();
        return Task.FromResult<ILease?>(lease);
    }

    /// <summary>Ends a lease at once whoever holds it, as breaking a blob lease does; its holder finds it lost at the next renewal.</summary>
    public void Break(string key)
    {
        lock (_holders)
        {
            _holders.Remove(key);
        }
    }

    private RenewalOutcome Renew(string key, Guid id)
    {
        var now = _time.GetUtcNow();
        lock (_holders)
        {
            // An expired lease that nobody took yet is still renewed by its holder. A fake clock that jumps fires the
            // holder's renewal timer only after the jump, and in this process no one else can have acted in between
            // unless they acquired the key, which replaced the holder. The holder's own deadline still applies.
            if (!_holders.TryGetValue(key, out var current) || current.Id != id)
            {
                return RenewalOutcome.Lost;
            }

            _holders[key] = current with { ExpiresAt = now + _duration };
            return RenewalOutcome.Renewed;
        }
    }

    private void Release(string key, Guid id)
    {
        lock (_holders)
        {
            if (_holders.TryGetValue(key, out var current) && current.Id == id)
            {
                _holders.Remove(key);
            }
        }
    }

    private sealed record Holder(Guid Id, DateTimeOffset ExpiresAt);

    private sealed class InMemoryLease(InMemoryLeaseProvider owner, string key, Guid id, long sentAt)
        : TimedLease(key, owner._time, owner._duration, owner._safetyMargin, owner._renewOnTimer, sentAt, owner._logger)
    {
        protected override Task<RenewalOutcome> RenewCoreAsync(CancellationToken cancellationToken) => Task.FromResult(owner.Renew(Key, id));

        protected override RenewalOutcome RenewOnCheck() => owner.Renew(Key, id);

        protected override Task ReleaseCoreAsync()
        {
            owner.Release(Key, id);
            return Task.CompletedTask;
        }
    }
}
