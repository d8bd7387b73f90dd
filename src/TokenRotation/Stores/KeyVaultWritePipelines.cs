using Polly;

namespace TokenRotation.Stores;

/// <summary>
/// The client-side write budget of each vault (architecture section 3): a Polly rate-limiter pipeline per vault, named so
/// that its telemetry (Polly's meter and logs) says which vault waited. Over budget a write WAITS for the window
/// to slide rather than failing; 429s that still happen are retried by the Key Vault SDK itself (it honours
/// <c>Retry-After</c>), so nothing here retries a second time.
/// </summary>
internal static class KeyVaultWritePipelines
{
    public const string State = "keyvault-writes-state";
    public const string Consumer = "keyvault-writes-consumer";

    /// <summary>The window Key Vault counts its budgets in.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>A limiter of <paramref name="writesPer10Seconds"/> writes in any 10-second window, on the given clock.</summary>
    public static SlidingWindowWriteLimiter CreateLimiter(int writesPer10Seconds, TimeProvider timeProvider) =>
        new(writesPer10Seconds, Window, timeProvider);

    /// <summary>Adds the limiter to a pipeline builder (used by the DI registration and by tests).</summary>
    public static ResiliencePipelineBuilder AddWriteLimiter(this ResiliencePipelineBuilder builder, SlidingWindowWriteLimiter limiter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(limiter);
        return builder.AddRateLimiter(limiter);
    }

    /// <summary>A stand-alone pipeline over <paramref name="limiter"/>, for code built without dependency injection.</summary>
    public static ResiliencePipeline Create(SlidingWindowWriteLimiter limiter) =>
        new ResiliencePipelineBuilder().AddWriteLimiter(limiter).Build();
}
