using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace NetSuite.Auth.Tests.Core;

public sealed class NetSuiteOptionsValidatorTests
{
    [Fact]
    public void Default_options_are_valid()
    {
        var validator = new NetSuiteOptionsValidator();

        Assert.True(validator.Validate(null, new NetSuiteEndpointOptions()).Succeeded);
        Assert.True(validator.Validate(null, new NetSuiteResilienceOptions()).Succeeded);
    }

    [Fact]
    public void Wrong_endpoint_template_fails_at_resolution_naming_the_setting()
    {
        var services = new ServiceCollection();
        services.AddNetSuiteAuth(e => e.SuiteTalkUrlTemplate = "https://suitetalk.example.com");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NetSuiteEndpointOptions>>().Value);

        Assert.Contains("SuiteTalkUrlTemplate", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(NetSuiteResilienceOptions.MaxRetryAttempts))]
    [InlineData(nameof(NetSuiteResilienceOptions.BaseDelay))]
    [InlineData(nameof(NetSuiteResilienceOptions.MaxRetryAfter))]
    [InlineData(nameof(NetSuiteResilienceOptions.AttemptTimeout))]
    [InlineData(nameof(NetSuiteResilienceOptions.CircuitBreakerFailureRatio))]
    [InlineData(nameof(NetSuiteResilienceOptions.CircuitBreakerMinimumThroughput))]
    [InlineData(nameof(NetSuiteResilienceOptions.CircuitBreakerSamplingDuration))]
    public void Wrong_resilience_setting_fails_naming_the_setting(string setting)
    {
        var services = new ServiceCollection();
        services.AddNetSuiteAuth(configureResilience: o =>
        {
            switch (setting)
            {
                case nameof(o.MaxRetryAttempts):
                    o.MaxRetryAttempts = -1;
                    break;
                case nameof(o.BaseDelay):
                    o.BaseDelay = TimeSpan.FromMinutes(5);
                    break;
                case nameof(o.MaxRetryAfter):
                    o.MaxRetryAfter = TimeSpan.FromSeconds(-1);
                    break;
                case nameof(o.AttemptTimeout):
                    o.AttemptTimeout = TimeSpan.Zero;
                    break;
                case nameof(o.CircuitBreakerFailureRatio):
                    o.CircuitBreakerFailureRatio = 0;
                    break;
                case nameof(o.CircuitBreakerMinimumThroughput):
                    o.CircuitBreakerMinimumThroughput = 1;
                    break;
                default:
                    o.CircuitBreakerBreakDuration = TimeSpan.FromMilliseconds(1);
                    break;
            }
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NetSuiteResilienceOptions>>().Value);

        Assert.Contains("NetSuite:Resilience:" + setting, error.Message, StringComparison.Ordinal);
        Assert.Single(error.Failures);
    }

    [Fact]
    public void Null_options_are_refused()
    {
        var validator = new NetSuiteOptionsValidator();

        Assert.Throws<ArgumentNullException>(() => validator.Validate(null, (NetSuiteEndpointOptions)null!));
        Assert.Throws<ArgumentNullException>(() => validator.Validate(null, (NetSuiteResilienceOptions)null!));
    }
}
