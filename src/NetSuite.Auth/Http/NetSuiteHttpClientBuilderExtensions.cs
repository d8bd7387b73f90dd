using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using NetSuite.Auth.Tba;
using Polly;

namespace NetSuite.Auth;

/// <summary>Adds the NetSuite resilience pipeline and the OAuth 1.0a signing handler to a typed or named HttpClient.</summary>
public static class NetSuiteHttpClientBuilderExtensions
{
    /// <summary>The name of the resilience handler added by <see cref="AddNetSuiteResilience"/>.</summary>
    public const string PipelineName = "netsuite";

    /// <summary>Key of the pipeline used for requests that carry no account.</summary>
    internal const string NoAccountKey = "(no account)";

    /// <summary>
    /// Adds a resilience handler with one pipeline per account (selected by <see cref="NetSuiteRequestOptions.Account"/>,
    /// not by host): retry per <see cref="NetSuiteRetryRules"/> with exponential backoff, jitter and <c>Retry-After</c>,
    /// a circuit breaker counting transient failures, and a per-attempt timeout. Then adds the
    /// <see cref="TbaSigningHandler"/> inside it, so every retry is signed with a fresh nonce.
    /// Uses <see cref="NetSuiteResilienceOptions"/> and the registered <see cref="TimeProvider"/>.
    /// </summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The same builder.</returns>
    public static IHttpClientBuilder AddNetSuiteResilience(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<NetSuiteResilienceOptions>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ITbaNonceSource, RandomTbaNonceSource>();
        builder.Services.TryAddSingleton<TbaSigner>();
        builder.Services.TryAddTransient<TbaSigningHandler>();
        builder
            .AddResilienceHandler(PipelineName, (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<NetSuiteResilienceOptions>>().Value;
                var timeProvider = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
                pipeline.TimeProvider = timeProvider;
                Configure(pipeline, options, timeProvider);
            })
            .SelectPipelineBy(_ => request => request.GetNetSuiteAccount()?.Realm ?? NoAccountKey);
        builder.AddHttpMessageHandler<TbaSigningHandler>();
        return builder;
    }

    private static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, NetSuiteResilienceOptions options, TimeProvider timeProvider)
    {
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldRetryAfterHeader = false,
                ShouldHandle = async args =>
                {
                    var request = args.Outcome.Result?.RequestMessage ?? args.Context.GetRequestMessage();
                    var safety = request?.GetNetSuiteCallSafety() ?? NetSuiteCallSafety.SingleUse;
                    var error = await NetSuiteRetryRules.ClassifyAsync(
                        args.Outcome.Result, args.Outcome.Exception, timeProvider, args.Context.CancellationToken).ConfigureAwait(false);
                    return error is not null
                        && !(error.RetryAfter > options.MaxRetryAfter)
                        && NetSuiteRetryRules.ShouldRetry(safety, error);
                },
                DelayGenerator = args =>
                {
                    // Honour Retry-After exactly; otherwise fall back to exponential backoff with jitter.
                    var delay = args.Outcome.Result is { } response
                        ? NetSuiteErrorParser.GetRetryAfter(response, timeProvider)
                        : null;
                    return ValueTask.FromResult(delay);
                },
            });
        }

        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            BreakDuration = options.CircuitBreakerBreakDuration,
            ShouldHandle = async args =>
            {
                var error = await NetSuiteRetryRules.ClassifyAsync(
                    args.Outcome.Result, args.Outcome.Exception, timeProvider, args.Context.CancellationToken).ConfigureAwait(false);
                return error is { Class: NetSuiteErrorClass.Transient } && error.Code != "circuit_open";
            },
        });

        pipeline.AddTimeout(options.AttemptTimeout);
    }
}
