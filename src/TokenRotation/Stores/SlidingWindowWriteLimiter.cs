using System.Threading.RateLimiting;

namespace TokenRotation.Stores;

/// <summary>
/// A sliding-log rate limiter on a <see cref="TimeProvider"/>: at most <c>permitLimit</c> permits in ANY window of
/// the given length, and callers over the budget wait in FIFO order instead of failing.
/// </summary>
/// <remarks>
/// Key Vault counts writes in windows whose alignment the client cannot know; a fixed window aligned differently
/// could let twice the budget through one service window, a sliding log cannot. The built-in limiters of
/// System.Threading.RateLimiting measure time with <see cref="System.Diagnostics.Stopwatch"/>, so they cannot run on
/// the fake clock of the tests; this one takes its clock and timer from the <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class SlidingWindowWriteLimiter : RateLimiter
{
    private static readonly RateLimitLease Granted = new Lease(true, null);

    private readonly object _gate = new();
    private readonly Queue<long> _granted = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly int _permitLimit;
    private readonly int _queueLimit;
    private int _queuedPermits;
    private long _successful;
    private long _failed;
    private long _idleSince;
    private bool _disposed;

    public SlidingWindowWriteLimiter(int permitLimit, TimeSpan window, TimeProvider timeProvider, int queueLimit = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permitLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(queueLimit);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _permitLimit = permitLimit;
        Window = window;
        _queueLimit = queueLimit;
        _time = timeProvider;
        _idleSince = timeProvider.GetTimestamp();
        _timer = timeProvider.CreateTimer(static s => ((SlidingWindowWriteLimiter)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public TimeSpan Window { get; }

    public int PermitLimit => _permitLimit;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                Prune();
                return _granted.Count == 0 && _waiters.Count == 0 ? _time.GetElapsedTime(_idleSince) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Prune();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _permitLimit - _granted.Count,
                CurrentQueuedCount = _queuedPermits,
                TotalSuccessfulLeases = Interlocked.Read(ref _successful),
                TotalFailedLeases = Interlocked.Read(ref _failed),
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckPermitCount(permitCount);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Prune();
            if (_waiters.Count == 0 && _granted.Count + permitCount <= _permitLimit)
            {
                Grant(permitCount);
                return Granted;
            }

            Interlocked.Increment(ref _failed);
            return new Lease(false, RetryAfter());
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermitCount(permitCount);
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Prune();
            if (_waiters.Count == 0 && _granted.Count + permitCount <= _permitLimit)
            {
                Grant(permitCount);
                return new ValueTask<RateLimitLease>(Granted);
            }

            if (_queuedPermits + permitCount > _queueLimit)
            {
                Interlocked.Increment(ref _failed);
                return new ValueTask<RateLimitLease>(new Lease(false, RetryAfter()));
            }

            waiter = new Waiter(permitCount);
            waiter.Node = _waiters.AddLast(waiter);
            _queuedPermits += permitCount;
            Schedule();
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(static s =>
            {
                var (limiter, w, token) = ((SlidingWindowWriteLimiter, Waiter, CancellationToken))s!;
                limiter.Cancel(w, token);
            }, (this, waiter, cancellationToken));
        }

        return new ValueTask<RateLimitLease>(waiter.Completion.Task);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseWaiters();
        }

        base.Dispose(disposing);
    }

    private void ReleaseWaiters()
    {
        List<Waiter> pending;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            pending = [.. _waiters];
            _waiters.Clear();
            _queuedPermits = 0;
        }

        _timer.Dispose();
        foreach (var waiter in pending)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetResult(new Lease(false, null));
        }
    }

    private void CheckPermitCount(int permitCount)
    {
        if (permitCount < 0 || permitCount > _permitLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"A request may take from 0 to {_permitLimit} permits.");
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null)
            {
                return;
            }

            _waiters.Remove(waiter.Node);
            _queuedPermits -= waiter.Permits;
        }

        waiter.Completion.TrySetCanceled(token);
        OnTimer();
    }

    private void OnTimer()
    {
        List<Waiter> ready = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            Prune();
            while (_waiters.First is { } first && _granted.Count + first.Value.Permits <= _permitLimit)
            {
                _waiters.RemoveFirst();
                _queuedPermits -= first.Value.Permits;
                Grant(first.Value.Permits);
                ready.Add(first.Value);
            }

            Schedule();
        }

        foreach (var waiter in ready)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetResult(Granted);
        }
    }

    private void Grant(int permits)
    {
        var now = _time.GetTimestamp();
        for (var i = 0; i < permits; i++)
        {
            _granted.Enqueue(now);
        }

        _idleSince = now;
        Interlocked.Increment(ref _successful);
    }

    private void Prune()
    {
        while (_granted.TryPeek(out var oldest) && _time.GetElapsedTime(oldest) >= Window)
        {
            _granted.Dequeue();
        }
    }

    private TimeSpan RetryAfter() =>
        _granted.TryPeek(out var oldest) ? Window - _time.GetElapsedTime(oldest) : TimeSpan.Zero;

    private void Schedule()
    {
        if (_waiters.Count == 0)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var due = RetryAfter();
        _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.FromTicks(1), Timeout.InfiniteTimeSpan);
    }

    private sealed class Waiter(int permits)
    {
        public int Permits { get; } = permits;

        public TaskCompletionSource<RateLimitLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } value && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = value;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
