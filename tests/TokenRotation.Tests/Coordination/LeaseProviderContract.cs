using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Time.Testing;
using Testing.Shared;
using TokenRotation.Coordination;

namespace TokenRotation.Tests.Coordination;

/// <summary>The behaviour every <see cref="ILeaseProvider"/> must have, run against each implementation.</summary>
public abstract class LeaseProviderContract
{
    /// <summary>The lease duration the providers of this test use.</summary>
    protected abstract TimeSpan Duration { get; }

    /// <summary>How long the renewal test holds the lease (more than one duration).</summary>
    protected abstract TimeSpan HoldFor { get; }

    /// <summary>A provider over the store this test instance owns; two calls give two "instances" of the app.</summary>
    protected abstract Task<ILeaseProvider> CreateProviderAsync();

    /// <summary>Lets time pass for holders and store alike.</summary>
    protected abstract Task LetTimePassAsync(TimeSpan time);

    /// <summary>Ends the lease in the store whoever holds it (an operator, or the store losing it).</summary>
    protected abstract Task BreakAsync(string key);

    protected static string NewKey() => $"lease-{Guid.NewGuid():N}";

    [Fact]
    public async Task Of_two_concurrent_acquirers_exactly_one_gets_the_lease()
    {
        var first = await CreateProviderAsync();
        var second = await CreateProviderAsync();
        for (var round = 0; round < 5; round++)
        {
            var key = NewKey();

            var leases = await Task.WhenAll(first.TryAcquireAsync(key), second.TryAcquireAsync(key));

            Assert.Single(leases, l => l is not null);
            await leases.Single(l => l is not null)!.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_held_lease_is_refused_and_a_released_one_is_free_at_once()
    {
        var first = await CreateProviderAsync();
        var second = await CreateProviderAsync();
        var key = NewKey();

        var lease = await first.TryAcquireAsync(key);
        Assert.NotNull(lease);
        Assert.Equal(key, lease.Key);
        Assert.Null(await second.TryAcquireAsync(key));

        await lease.DisposeAsync();
        await using var next = await second.TryAcquireAsync(key);

        Assert.NotNull(next);
        Assert.Throws<LeaseLostException>(lease.EnsureHeld);
    }

    [Fact]
    public async Task Renewal_keeps_the_lease_past_its_duration()
    {
        var holder = await CreateProviderAsync();
        var contender = await CreateProviderAsync();
        var key = NewKey();
        await using var lease = await holder.TryAcquireAsync(key);
        Assert.NotNull(lease);

        var held = TimeSpan.Zero;
        var step = Duration / 6;
        while (held < HoldFor)
        {
            await LetTimePassAsync(step);
            held += step;
            Assert.Null(await contender.TryAcquireAsync(key));
        }

        Assert.True(held > Duration);
        Assert.False(lease.Lost.IsCancellationRequested);
        lease.EnsureHeld();
    }

    [Fact]
    public async Task The_lease_of_a_holder_that_stopped_renewing_expires_and_another_takes_it()
    {
        var holder = await CreateProviderAsync();
        var contender = await CreateProviderAsync();
        var key = NewKey();
        var lease = await holder.TryAcquireAsync(key);
        Assert.NotNull(lease);
        ((TimedLease)lease).StopRenewing();

        var waited = TimeSpan.Zero;
        var step = TimeSpan.FromSeconds(1);
        ILease? taken = null;
        while (taken is null)
        {
            Assert.True(waited < Duration * 2, "The abandoned lease did not expire.");
            await LetTimePassAsync(step);
            waited += step;
            taken = await contender.TryAcquireAsync(key);
        }

        await using (taken)
        {
            Assert.True(waited >= Duration - step, $"Taken after {waited}, before the lease could have expired ({Duration}).");
            Assert.True(lease.Lost.IsCancellationRequested);
            Assert.Throws<LeaseLostException>(lease.EnsureHeld);
            taken.EnsureHeld();
        }
    }

    [Fact]
    public async Task A_lease_lost_in_the_store_cancels_Lost_and_EnsureHeld_throws()
    {
        var holder = await CreateProviderAsync();
        var key = NewKey();
        await using var lease = await holder.TryAcquireAsync(key);
        Assert.NotNull(lease);
        lease.EnsureHeld();

        await BreakAsync(key);
        var waited = TimeSpan.Zero;
        while (!lease.Lost.IsCancellationRequested)
        {
            Assert.True(waited < Duration, "The holder did not notice that its lease was lost.");
            await LetTimePassAsync(TimeSpan.FromSeconds(1));
            waited += TimeSpan.FromSeconds(1);
        }

        var error = Assert.Throws<LeaseLostException>(lease.EnsureHeld);
        Assert.Equal(key, error.Key);
    }
}

public sealed class InMemoryLeaseProviderContractTests : LeaseProviderContract
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private InMemoryLeaseProvider? _provider;

    protected override TimeSpan Duration => TimeSpan.FromSeconds(30);

    protected override TimeSpan HoldFor => TimeSpan.FromHours(2);

    protected override Task<ILeaseProvider> CreateProviderAsync()
    {
        // One process: every "instance" shares the same table of holders.
        _provider ??= new InMemoryLeaseProvider(_clock, new CoordinationOptions { LeaseDuration = Duration, LeaseSafetyMargin = TimeSpan.FromSeconds(5) });
        return Task.FromResult<ILeaseProvider>(_provider);
    }

    protected override Task LetTimePassAsync(TimeSpan time)
    {
        _clock.Advance(time);
        return Task.CompletedTask;
    }

    protected override Task BreakAsync(string key)
    {
        _provider!.Break(key);
        return Task.CompletedTask;
    }
}

public sealed class BlobLeaseProviderContractTests : LeaseProviderContract, IAsyncLifetime
{
    private readonly string _container = Azurite.UniqueName("leases");
    private Azurite _azurite = null!;

    protected override TimeSpan Duration => TimeSpan.FromSeconds(15);

    protected override TimeSpan HoldFor => TimeSpan.FromSeconds(20);

    public async Task InitializeAsync() => _azurite = await Azurite.GetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected override Task<ILeaseProvider> CreateProviderAsync() => Task.FromResult<ILeaseProvider>(new BlobLeaseProvider(
        new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient(_container),
        new CoordinationOptions { LeaseDuration = Duration, LeaseSafetyMargin = TimeSpan.FromSeconds(3) },
        TimeProvider.System));

    protected override Task LetTimePassAsync(TimeSpan time) => Task.Delay(time);

    protected override async Task BreakAsync(string key) =>
        await _azurite.CreateBlobServiceClient().GetBlobContainerClient(_container).GetBlobClient(key).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
}

/// <summary>What only the blob leases must do: trust the lease by the holder's clock, not by the service's answers.</summary>
public sealed class BlobLeaseProviderTests
{
    [Fact]
    public async Task A_silent_holder_distrusts_its_lease_by_its_own_clock_before_the_service_frees_it()
    {
        var azurite = await Azurite.GetAsync();
        var container = azurite.CreateBlobServiceClient().GetBlobContainerClient(Azurite.UniqueName("leases"));
        var options = new CoordinationOptions { LeaseDuration = TimeSpan.FromSeconds(15), LeaseSafetyMargin = TimeSpan.FromSeconds(3) };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var holder = new BlobLeaseProvider(container, options, clock);
        var contender = new BlobLeaseProvider(container, options, TimeProvider.System);
        await using var lease = await holder.TryAcquireAsync("silent-holder");
        Assert.NotNull(lease);
        ((TimedLease)lease).StopRenewing();

        clock.Advance(TimeSpan.FromSeconds(11.9));
        lease.EnsureHeld();
        clock.Advance(TimeSpan.FromSeconds(0.1));

        Assert.True(lease.Lost.IsCancellationRequested);
        Assert.Throws<LeaseLostException>(lease.EnsureHeld);
        Assert.Null(await contender.TryAcquireAsync("silent-holder"));
    }

    [Fact]
    public async Task Leases_are_blobs_in_the_configured_container_created_when_missing()
    {
        var azurite = await Azurite.GetAsync();
        var container = azurite.CreateBlobServiceClient().GetBlobContainerClient(Azurite.UniqueName("leases"));
        var provider = new BlobLeaseProvider(container, new CoordinationOptions(), TimeProvider.System);

        await using (var lease = await provider.TryAcquireAsync("conn-first"))
        {
            Assert.NotNull(lease);
            var properties = await container.GetBlobClient("conn-first").GetPropertiesAsync();
            Assert.Equal(Azure.Storage.Blobs.Models.LeaseState.Leased, properties.Value.LeaseState);
            Assert.Equal(Azure.Storage.Blobs.Models.LeaseDurationType.Fixed, properties.Value.LeaseDuration);
        }

        var released = await container.GetBlobClient("conn-first").GetPropertiesAsync();
        Assert.Equal(Azure.Storage.Blobs.Models.LeaseState.Available, released.Value.LeaseState);
    }

    [Fact]
    public async Task A_duration_blob_leases_cannot_have_is_refused()
    {
        var azurite = await Azurite.GetAsync();
        var container = azurite.CreateBlobServiceClient().GetBlobContainerClient(Azurite.UniqueName("leases"));

        Assert.Throws<ArgumentException>(() => new BlobLeaseProvider(container, new CoordinationOptions { LeaseDuration = TimeSpan.FromSeconds(90) }, TimeProvider.System));
    }
}

/// <summary>What only the in-memory leases must do, over long simulated runs.</summary>
public sealed class InMemoryLeaseProviderTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_lease_renewed_by_its_timer_survives_a_simulated_month()
    {
        var provider = new InMemoryLeaseProvider(_clock);
        await using var lease = await provider.TryAcquireAsync("conn-long");
        Assert.NotNull(lease);

        _clock.Advance(TimeSpan.FromDays(30));

        lease.EnsureHeld();
        Assert.Null(await provider.TryAcquireAsync("conn-long"));
    }

    [Fact]
    public async Task Without_the_timer_EnsureHeld_renews_and_silence_past_the_margin_loses_the_lease()
    {
        var options = new CoordinationOptions { LeaseDuration = TimeSpan.FromSeconds(30), LeaseSafetyMargin = TimeSpan.FromSeconds(5) };
        var provider = new InMemoryLeaseProvider(_clock, options, renewOnTimer: false);
        await using var lease = await provider.TryAcquireAsync("conn-manual");
        Assert.NotNull(lease);

        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(20));
            lease.EnsureHeld();
        }

        _clock.Advance(TimeSpan.FromSeconds(25));

        // Past duration minus margin the holder gives up, although the store would still refuse others for 5 s.
        Assert.Throws<LeaseLostException>(lease.EnsureHeld);
        Assert.True(lease.Lost.IsCancellationRequested);
        Assert.Null(await provider.TryAcquireAsync("conn-manual"));
        _clock.Advance(TimeSpan.FromSeconds(5));
        await using var next = await provider.TryAcquireAsync("conn-manual");
        Assert.NotNull(next);
    }

    [Fact]
    public async Task Held_keys_lists_only_unexpired_leases()
    {
        var provider = new InMemoryLeaseProvider(_clock, renewOnTimer: false);
        var lease = await provider.TryAcquireAsync("conn-a");
        await using var other = await provider.TryAcquireAsync("conn-b");
        Assert.NotNull(lease);
        ((TimedLease)lease).StopRenewing();

        _clock.Advance(TimeSpan.FromSeconds(20));
        other!.EnsureHeld();
        _clock.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(["conn-b"], provider.HeldKeys);
    }
}
