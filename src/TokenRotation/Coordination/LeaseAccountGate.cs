using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace TokenRotation.Coordination;

/// <summary>
/// At most k NetSuite call sequences per account at once, across every path and instance (architecture section 5): k
/// lease slots per account, <c>gate-{account}-{i}</c>. <see cref="EnterAsync"/> tries every slot, and while all are
/// taken waits through a Polly pipeline (exponential backoff with jitter, bounded by
/// <see cref="CoordinationOptions.GateMaxWait"/>). The result is the slot's <see cref="ILease"/>: dispose it to free
/// the slot, and call <see cref="ILease.EnsureHeld"/> before each NetSuite call when it matters that the slot is
/// still held.
/// </summary>
internal sealed class LeaseAccountGate : IAccountGate
{
    public const string PipelineName = "account-gate";

    private readonly ILeaseProvider _leases;
    private readonly int _slots;
    private readonly ResiliencePipeline<ILease?> _pipeline;
    private readonly TimeSpan _maxWait;

    /// <param name="leases">Where the slots are leased.</param>
    /// <param name="slotsPerAccount">k, <see cref="Configuration.TokenRotationOptions.AccountConcurrency"/>.</param>
    /// <param name="pipeline">The waiting pipeline, <see cref="PipelineName"/> (see <see cref="ConfigurePipeline"/>).</param>
    /// <param name="maxWait">The bound on waiting the pipeline enforces; only named in the error.</param>
    public LeaseAccountGate(ILeaseProvider leases, int slotsPerAccount, ResiliencePipeline<ILease?> pipeline, TimeSpan maxWait)
    {
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotsPerAccount, 1);
        _leases = leases;
        _slots = slotsPerAccount;
        _pipeline = pipeline;
        _maxWait = maxWait;
    }

    /// <summary>A gate with its own pipeline, for code built without dependency injection.</summary>
    public LeaseAccountGate(ILeaseProvider leases, int slotsPerAccount, CoordinationOptions options, TimeProvider timeProvider)
        : this(leases, slotsPerAccount, CreatePipeline(options, timeProvider), (options ?? throw new ArgumentNullException(nameof(options))).GateMaxWait)
    {
    }

    public int SlotsPerAccount => _slots;

    public async Task<IAsyncDisposable> EnterAsync(string account, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        ILease? lease;
        try
        {
            lease = await _pipeline.ExecuteAsync(
                static async (state, token) => await state.Gate.TryAnySlotAsync(state.Account, token).ConfigureAwait(false),
                (Gate: this, Account: account),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            throw Timeout(account, ex);
        }

        return lease ?? throw Timeout(account, null);
    }

    /// <summary>The waiting strategy: a total bound, then retries while every slot is taken.</summary>
    public static ResiliencePipelineBuilder<ILease?> ConfigurePipeline(ResiliencePipelineBuilder<ILease?> builder, CoordinationOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder
            .AddTimeout(options.GateMaxWait)
            .AddRetry(new RetryStrategyOptions<ILease?>
            {
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is null && args.Outcome.Result is null),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.GateRetryDelay,
                MaxDelay = options.GateRetryMaxDelay,
            });
    }

    public static ResiliencePipeline<ILease?> CreatePipeline(CoordinationOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var builder = new ResiliencePipelineBuilder<ILease?> { Name = PipelineName, TimeProvider = timeProvider };
        return ConfigurePipeline(builder, options).Build();
    }

    private async Task<ILease?> TryAnySlotAsync(string account, CancellationToken cancellationToken)
    {
        // Start at a random slot so that waiters spread over the slots instead of all racing for slot 0.
        var first = Random.Shared.Next(_slots);
        for (var i = 0; i < _slots; i++)
        {
            var lease = await _leases.TryAcquireAsync(CoordinationKeys.GateSlot(account, (first + i) % _slots), cancellationToken).ConfigureAwait(false);
            if (lease is not null)
            {
                return lease;
            }
        }

        return null;
    }

    private TimeoutException Timeout(string account, Exception? inner) =>
        new($"No NetSuite call slot for account {account} became free within {_maxWait} ({_slots} slot(s), all held by other " +
            "rotations, sweeps or CLI runs for this account). Try again later, or raise TokenRotation:AccountConcurrency if NetSuite allows it.", inner);
}
