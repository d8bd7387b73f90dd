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
        var grants = new List<DateTimeOffset>();
        var pending = new List<Task>();
        for (var i = 0; i < 12; i++)
        {
            pending.Add(limiter.AcquireAsync().AsTask().ContinueWith(
                t =>
                {
                    Assert.True(t.Result.IsAcquired);
                    lock (grants)
                    {
                        grants.Add(_clock.GetUtcNow());
                    }
                },
                TaskScheduler.Default));
            if (i % 4 == 3)
            {
                _clock.Advance(TimeSpan.FromSeconds(3));
            }
        }

        for (var step = 0; step < 40 && pending.Any(t => !t.IsCompleted); step++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5);
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(12, grants.Count);
        foreach (var at in grants)
        {
            Assert.True(grants.Count(g => g >= at && g < at.AddSeconds(10)) <= 3, $"More than 3 grants in the window starting {at:O}.");
        }
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
