using Microsoft.Extensions.Options;

namespace NetSuite.Auth;

/// <summary>
/// Validates <see cref="NetSuiteEndpointOptions"/> and <see cref="NetSuiteResilienceOptions"/> with messages that name
/// the setting, so a host calling <c>ValidateOnStart</c> fails at start-up instead of at the first NetSuite call.
/// </summary>
public sealed class NetSuiteOptionsValidator : IValidateOptions<NetSuiteEndpointOptions>, IValidateOptions<NetSuiteResilienceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NetSuiteEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            _ = new NetSuiteEndpoints(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException exception)
        {
            return ValidateOptionsResult.Fail(exception.Message);
        }
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NetSuiteResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = NetSuiteResilienceOptions.SectionName + ":";
        if (options.MaxRetryAttempts is < 0 or > 20)
        {
            failures.Add($"{prefix}{nameof(options.MaxRetryAttempts)} must be between 0 and 20; got {options.MaxRetryAttempts}.");
        }

        if (options.BaseDelay < TimeSpan.Zero || options.MaxDelay < options.BaseDelay)
        {
            failures.Add($"{prefix}{nameof(options.BaseDelay)} must be zero or more and not above {nameof(options.MaxDelay)}; got {options.BaseDelay} and {options.MaxDelay}.");
        }

        if (options.MaxRetryAfter < TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(options.MaxRetryAfter)} must not be negative; got {options.MaxRetryAfter}.");
        }

        if (options.AttemptTimeout < TimeSpan.FromMilliseconds(10))
        {
            failures.Add($"{prefix}{nameof(options.AttemptTimeout)} must be at least 10 ms; got {options.AttemptTimeout}.");
        }

        if (options.CircuitBreakerFailureRatio is <= 0 or > 1)
        {
            failures.Add($"{prefix}{nameof(options.CircuitBreakerFailureRatio)} must be above 0 and at most 1; got {options.CircuitBreakerFailureRatio}.");
        }

        if (options.CircuitBreakerMinimumThroughput < 2)
        {
            failures.Add($"{prefix}{nameof(options.CircuitBreakerMinimumThroughput)} must be at least 2; got {options.CircuitBreakerMinimumThroughput}.");
        }

        if (options.CircuitBreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || options.CircuitBreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"{prefix}{nameof(options.CircuitBreakerSamplingDuration)} and {nameof(options.CircuitBreakerBreakDuration)} must be at least 500 ms; got {options.CircuitBreakerSamplingDuration} and {options.CircuitBreakerBreakDuration}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
