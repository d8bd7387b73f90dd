using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

public sealed class SlidingWindowWriteLimiterTests
{
    private readonly FakeTimeProvider _clock = new(Samples.Start);

    [Fact]
    public async Task Grants_the_budget_at_once_then_queues_until_the_window_slides()
    {
        using var limiter = new SlidingWindowWriteLimiter(3, TimeSpan.FromSeconds(10), _clock);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await limiter.AcquireAsync()).IsAcquired);
        }

        var fourth = limiter.AcquireAsync().AsTask();
        _clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(fourth.IsCompleted);

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True((await fourth.WaitAsync(TimeSpan.FromSeconds(5))).IsAcquired);
    }

    [Fact]
    public async Task Never_grants_more_than_the_budget_in_any_window()
    {
        using var limiter = new SlidingWindowWriteLimiter(3, TimeSpan.FromSeconds(10), _clock);
        var requests = new List<Task<RateLimitLease>>();
        var grantedAt = new Dictionary<Task<RateLimitLease>, TimeSpan>();
        var elapsed = TimeSpan.Zero;

        // Bursts of four requests every three seconds, then time runs on until every request is served.
        for (var second = 0; second < 60 && (requests.Count < 12 || requests.Any(r => !r.IsCompleted)); second++)
        {
            if (second % 3 == 0 && requests.Count < 12)
            {
                requests.AddRange(Enumerable.Range(0, 4).Select(_ => limiter.AcquireAsync().AsTask()));
            }

            // A grant completes its task synchronously inside the limiter (on acquire, or on the fake timer).
            foreach (var request in requests.Where(r => r.IsCompleted && !grantedAt.ContainsKey(r)))
            {
                grantedAt[request] = elapsed;
            }

            _clock.Advance(TimeSpan.FromSeconds(1));
            elapsed += TimeSpan.FromSeconds(1);
        }

        foreach (var request in requests.Where(r => r.IsCompleted && !grantedAt.ContainsKey(r)))
        {
            grantedAt[request] = elapsed;
        }

        Assert.Equal(12, grantedAt.Count);
        Assert.All(await Task.WhenAll(requests), lease => Assert.True(lease.IsAcquired));
        foreach (var start in grantedAt.Values)
        {
            Assert.True(grantedAt.Values.Count(g => g >= start && g < start + TimeSpan.FromSeconds(10)) <= 3, $"More than 3 grants in the window starting at {start}.");
        }

        Assert.True(grantedAt.Values.Max() >= TimeSpan.FromSeconds(30), "Twelve grants at three per ten seconds need at least thirty seconds.");
    }

    [Fact]
    public async Task Waiters_are_served_in_arrival_order()
    {
        using var limiter = new SlidingWindowWriteLimiter(1, TimeSpan.FromSeconds(10), _clock);
        await limiter.AcquireAsync();
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 3).Select(i => limiter.AcquireAsync().AsTask().ContinueWith(_ => { lock (order) { order.Add(i); } }, TaskScheduler.Default)).ToArray();

        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(10));
            await WaitForCountAsync(order, i + 1);
        }

        await Task.WhenAll(waiters);
        Assert.Equal([0, 1, 2], order);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_without_spending_a_permit()
    {
        using var limiter = new SlidingWindowWriteLimiter(1, TimeSpan.FromSeconds(10), _clock);
        await limiter.AcquireAsync();
        using var cancel = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(1, cancel.Token).AsTask();
        var next = limiter.AcquireAsync().AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentQueuedCount);

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True((await next.WaitAsync(TimeSpan.FromSeconds(5))).IsAcquired);
    }

    [Fact]
    public void Attempt_over_the_budget_fails_and_says_when_to_retry()
    {
        using var limiter = new SlidingWindowWriteLimiter(2, TimeSpan.FromSeconds(10), _clock);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.True(limiter.AttemptAcquire().IsAcquired);

        using var refused = limiter.AttemptAcquire();

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(6), retryAfter);
    }

    private static async Task WaitForCountAsync(List<int> list, int count)
    {
        for (var i = 0; i < 500; i++)
        {
            lock (list)
            {
                if (list.Count >= count)
                {
                    return;
                }
            }

            await Task.Delay(10);
        }

        Assert.Fail($"Fewer than {count} waiters were served.");
    }
}
