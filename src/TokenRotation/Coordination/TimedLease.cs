using Microsoft.Extensions.Logging;

namespace TokenRotation.Coordination;

/// <summary>
/// The holder's side of a finite lease: renewal on a timer every third of the duration, a deadline timer that
/// declares the lease lost when no renewal succeeded within the duration minus a safety margin, and
/// <see cref="EnsureHeld"/>. All time is measured on the <see cref="TimeProvider"/>, from the moment a successful
/// acquire or renew request was SENT, so the holder always gives up before the service could let someone else in.
/// </summary>
internal abstract partial class TimedLease : ILease
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _trustFor;
    private readonly CancellationTokenSource _lostSource = new();
    private readonly TimeSpan _renewalInterval;
    private readonly bool _renewOnTimer;
    private ITimer? _deadlineTimer;
    private readonly ILogger _logger;
    private ITimer? _renewTimer;
    private long _lastRenewed;
    private int _renewing;
    private int _lost;
    private int _disposed;
    private int _stalled;

    protected TimedLease(string key, TimeProvider time, TimeSpan duration, TimeSpan safetyMargin, bool renewOnTimer, long acquireSentAt, ILogger logger)
    {
        Key = key;
        _time = time;
        _trustFor = duration - safetyMargin;
        _lastRenewed = acquireSentAt;
        _logger = logger;
        _renewalInterval = duration / 3;
        _renewOnTimer = renewOnTimer;
    }

    public string Key { get; }

    /// <summary>Starts the timers; called once the derived lease is fully constructed.</summary>
    internal void Start()
    {
        var remaining = Remaining();
        _deadlineTimer = _time.CreateTimer(static s => ((TimedLease)s!).OnDeadline(), this,
            remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        if (_renewOnTimer)
        {
            _renewTimer = _time.CreateTimer(static s => ((TimedLease)s!).OnRenewTick(), this, _renewalInterval, _renewalInterval);
        }
    }

    public CancellationToken Lost => _lostSource.Token;

    public override string ToString() => $"lease {Key}";

    protected bool IsLost => Volatile.Read(ref _lost) != 0;

    /// <summary>Why the lease was lost; null while held.</summary>
    internal string? LostReason { get; private set; }

    public void EnsureHeld()
    {
        if (Volatile.Read(ref _disposed) != 0 || IsLost)
        {
            throw new LeaseLostException(Key);
        }

        if (Remaining() <= TimeSpan.Zero)
        {
            MarkLost("it was not renewed in time");
            throw new LeaseLostException(Key);
        }

        if (Volatile.Read(ref _stalled) == 0)
        {
            var sentAt = _time.GetTimestamp();
            var outcome = RenewOnCheck();
            if (outcome == RenewalOutcome.Lost)
            {
                MarkLost("the store no longer has it");
                throw new LeaseLostException(Key);
            }

            if (outcome == RenewalOutcome.Renewed)
            {
                Renewed(sentAt);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _renewTimer?.Dispose();
        _deadlineTimer?.Dispose();
        var wasLost = Interlocked.Exchange(ref _lost, 1) != 0;
        if (!wasLost)
        {
            try
            {
                await ReleaseCoreAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The lease then ends on its own when its duration passes.
                LogReleaseFailed(_logger, ex, Key);
            }
        }

        CancelLost();
    }

    /// <summary>Test seam: the holder stops renewing without releasing, as if its process froze or died.</summary>
    internal void StopRenewing()
    {
        Interlocked.Exchange(ref _stalled, 1);
        _renewTimer?.Dispose();
        _renewTimer = null;
    }

    /// <summary>Renews in the store. Called on the renewal timer; never concurrently with itself.</summary>
    protected abstract Task<RenewalOutcome> RenewCoreAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called by <see cref="EnsureHeld"/>: a store that can renew synchronously (in memory) renews here; a remote
    /// store answers <see cref="RenewalOutcome.Transient"/> and relies on the timer.
    /// </summary>
    protected virtual RenewalOutcome RenewOnCheck() => RenewalOutcome.Transient;

    protected abstract Task ReleaseCoreAsync();

    private TimeSpan Remaining() => _trustFor - _time.GetElapsedTime(Volatile.Read(ref _lastRenewed));

    private void OnRenewTick()
    {
        if (IsLost || Volatile.Read(ref _disposed) != 0 || Volatile.Read(ref _stalled) != 0
            || Interlocked.CompareExchange(ref _renewing, 1, 0) != 0)
        {
            return;
        }

        _ = RenewOnceAsync(_time.GetTimestamp());
    }

    private async Task RenewOnceAsync(long sentAt)
    {
        try
        {
            var outcome = await RenewCoreAsync(Lost).ConfigureAwait(false);
            switch (outcome)
            {
                case RenewalOutcome.Renewed:
                    Renewed(sentAt);
                    break;
                case RenewalOutcome.Lost:
                    MarkLost("the store refused the renewal");
                    break;
                default:
                    LogRenewalFailed(_logger, null, Key);
                    break;
            }
        }
        catch (OperationCanceledException) when (IsLost)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Transient: the deadline timer decides when to give up.
            LogRenewalFailed(_logger, ex, Key);
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    private void Renewed(long sentAt)
    {
        if (IsLost || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        long current;
        do
        {
            current = Volatile.Read(ref _lastRenewed);
            if (sentAt <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _lastRenewed, sentAt, current) != current);

        try
        {
            var remaining = Remaining();
            _deadlineTimer?.Change(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void OnDeadline()
    {
        if (IsLost || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var remaining = Remaining();
        if (remaining <= TimeSpan.Zero)
        {
            MarkLost("it was not renewed in time");
            return;
        }

        try
        {
            _deadlineTimer?.Change(remaining, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    protected void MarkLost(string reason)
    {
        if (Interlocked.Exchange(ref _lost, 1) != 0)
        {
            return;
        }

        LostReason = reason;
        LogLost(_logger, Key, reason);
        _renewTimer?.Dispose();
        CancelLost();
    }

    private void CancelLost()
    {
        try
        {
            _lostSource.Cancel();
        }
        catch (AggregateException ex)
        {
            // A holder's callback on Lost threw; the lease is lost all the same.
            LogLostCallbackFailed(_logger, ex, Key);
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Lease {LeaseKey} is lost because {Reason}; the holder must stop before its next write")]
    private static partial void LogLost(ILogger logger, string leaseKey, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Renewing lease {LeaseKey} failed; it is retried until its deadline")]
    private static partial void LogRenewalFailed(ILogger logger, Exception? exception, string leaseKey);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Releasing lease {LeaseKey} failed; it ends on its own when its duration passes")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string leaseKey);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "A callback on the loss of lease {LeaseKey} threw")]
    private static partial void LogLostCallbackFailed(ILogger logger, Exception exception, string leaseKey);
}
