namespace NetSuite.Auth;

/// <summary>Settings of the per-account resilience pipeline (retry, circuit breaker, attempt timeout).</summary>
public sealed class NetSuiteResilienceOptions
{
    /// <summary>The configuration section these options are usually bound from.</summary>
    public const string SectionName = "NetSuite:Resilience";

    /// <summary>Retries after the first attempt (0 disables retries). Default 4.</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>
    /// First backoff delay; later ones grow exponentially with jitter. Default 2 s (Oracle advises increasing delays
    /// and users found 2 s steps more reliable than 1 s for concurrency rejections).
    /// </summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound of one backoff delay. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A <c>Retry-After</c> longer than this is not waited for: the failure is returned to the caller instead. Default 2 min.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Timeout of one attempt. Default 60 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of transient failures within <see cref="CircuitBreakerSamplingDuration"/> that opens the circuit. Default 0.5.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed within the sampling window before the circuit may open (at least 2). Default 10.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>Sampling window of the circuit breaker. Default 60 s.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an open circuit rejects calls. Default 30 s.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
