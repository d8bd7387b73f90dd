using Azure.Storage.Blobs;
using Testing.Shared;
using TokenRotation.Coordination;

namespace TokenRotation.Tests.Coordination;

/// <summary>The per-account gate over each lease provider: never more than k holders per account.</summary>
public abstract class AccountGateContract
{
    protected static readonly CoordinationOptions FastGate = new()
    {
        LeaseDuration = TimeSpan.FromSeconds(15),
        LeaseSafetyMargin = TimeSpan.FromSeconds(3),
        GateMaxWait = TimeSpan.FromSeconds(60),
        GateRetryDelay = TimeSpan.FromMilliseconds(20),
        GateRetryMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>A lease provider over the store this test instance owns; two calls give two "instances" of the app.</summary>
    protected abstract Task<ILeaseProvider> CreateLeasesAsync(CoordinationOptions options);

    private async Task<LeaseAccountGate> CreateGateAsync(int slots, CoordinationOptions? options = null)
    {
        options ??= FastGate;
        return new LeaseAccountGate(await CreateLeasesAsync(options), slots, options, TimeProvider.System);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Never_admits_more_than_k_holders_for_an_account(int slots)
    {
        // Two app instances, each with its own gate over the shared store.
        var gates = new[] { await CreateGateAsync(slots), await CreateGateAsync(slots) };
        var account = $"TSTDRV{Random.Shared.Next(1_000_000, 9_999_999)}";
        var inside = 0;
        var most = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            await using (await gates[i % 2].EnterAsync(account))
            {
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                await Task.Delay(100);
                Interlocked.Decrement(ref inside);
            }
        })).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(slots, most);
    }

    [Fact]
    public async Task Accounts_do_not_wait_for_each_other()
    {
        var gate = await CreateGateAsync(1);
        await using var first = await gate.EnterAsync("1111111");

        await using var other = await gate.EnterAsync("2222222").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(other);
    }

    [Fact]
    public async Task A_freed_slot_admits_the_next_waiter()
    {
        var gate = await CreateGateAsync(1);
        var holder = await gate.EnterAsync("3333333");
        var waiter = gate.EnterAsync("3333333");
        await Task.Delay(200);
        Assert.False(waiter.IsCompleted);

        await holder.DisposeAsync();

        await using var admitted = await waiter.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.IsAssignableFrom<ILease>(admitted).EnsureHeld();
    }

    [Fact]
    public async Task Waiting_longer_than_the_bound_fails_with_a_timeout_naming_the_account()
    {
        var options = new CoordinationOptions
        {
            LeaseDuration = FastGate.LeaseDuration,
            LeaseSafetyMargin = FastGate.LeaseSafetyMargin,
            GateMaxWait = TimeSpan.FromSeconds(1),
            GateRetryDelay = TimeSpan.FromMilliseconds(50),
            GateRetryMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        var gate = await CreateGateAsync(1, options);
        await using var holder = await gate.EnterAsync("4444444_SB2");

        var error = await Assert.ThrowsAsync<TimeoutException>(() => gate.EnterAsync("4444444_SB2"));

        Assert.Contains("4444444_SB2", error.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        do
        {
            current = Volatile.Read(ref target);
            if (value <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref target, value, current) != current);
    }
}

public sealed class InMemoryAccountGateTests : AccountGateContract
{
    private InMemoryLeaseProvider? _leases;

    protected override Task<ILeaseProvider> CreateLeasesAsync(CoordinationOptions options)
    {
        _leases ??= new InMemoryLeaseProvider(TimeProvider.System, options);
        return Task.FromResult<ILeaseProvider>(_leases);
    }
}

public sealed class BlobAccountGateTests : AccountGateContract
{
    private readonly string _container = Azurite.UniqueName("gate");

    protected override async Task<ILeaseProvider> CreateLeasesAsync(CoordinationOptions options)
    {
        var azurite = await Azurite.GetAsync();
        return new BlobLeaseProvider(new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(_container), options, TimeProvider.System);
    }
}

public sealed class LeaseAccountGateTests
{
    [Fact]
    public async Task Slots_are_leases_named_after_the_account_host_label()
    {
        var leases = new InMemoryLeaseProvider(TimeProvider.System);
        var gate = new LeaseAccountGate(leases, 3, new CoordinationOptions(), TimeProvider.System);

        await using var a = await gate.EnterAsync("1234567_SB1");
        await using var b = await gate.EnterAsync("1234567-sb1");

        Assert.Equal(2, leases.HeldKeys.Count);
        Assert.All(leases.HeldKeys, k => Assert.Matches("^gate-1234567-sb1-[0-2]$", k));
    }
}
