using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Auth.Tba;

namespace NetSuite.Auth.Tests.Support;

/// <summary>Builds the real <c>AddNetSuiteAuth</c> composition with a fake primary handler.</summary>
internal static class TestServices
{
    public static ServiceProvider Build(
        HttpMessageHandler handler,
        Action<NetSuiteResilienceOptions>? resilience = null,
        Action<NetSuiteEndpointOptions>? endpoints = null,
        TimeProvider? timeProvider = null)
    {
        var services = new ServiceCollection();
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.AddNetSuiteAuth(endpoints, options =>
        {
            options.BaseDelay = TimeSpan.FromMilliseconds(1);
            options.MaxDelay = TimeSpan.FromMilliseconds(5);
            options.MaxRetryAttempts = 3;
            resilience?.Invoke(options);
        });
        services.ConfigureHttpClientDefaults(builder => builder.ConfigurePrimaryHttpMessageHandler(() => handler));
        return services.BuildServiceProvider();
    }

    public static NetSuiteTbaClient Tba(this ServiceProvider provider) => provider.GetRequiredService<NetSuiteTbaClient>();

    public static FakeTimeProvider NewFakeTime() => new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
}

/// <summary>Inputs of Oracle's worked example (NetSuite topic 4.3) and small made-up credentials.</summary>
internal static class Vectors
{
    public const string OracleTokenId = "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc";
    public const string OracleTokenSecret = "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295";
    public const string OracleConsumerKey = "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4";
    public const string OracleConsumerSecret = "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5";
    public const string OracleNonce = "fjaLirsIcCGVZWzBX0pg";
    public const long OracleTimestamp = 1508242306;

    public static TbaCredentials Oracle() => new(
        NetSuiteAccountId.Parse("123456"), OracleConsumerKey, OracleConsumerSecret, OracleTokenId, OracleTokenSecret);

    public static readonly NetSuiteAccountId Sandbox = NetSuiteAccountId.Parse("1234567_SB1");

    public const string ConsumerSecret = "consumer-secret-VALUE";
    public const string TokenSecret = "token-secret-VALUE";
    public const string Password = "p@ss, w=rd-VALUE";

    public static TbaCredentials Small(NetSuiteAccountId? account = null) =>
        new(account ?? Sandbox, "ck", ConsumerSecret, "tk", TokenSecret);

    public static NLAuthCredentials User(NetSuiteAccountId? account = null) =>
        new(account ?? Sandbox, "j.smith+ns@example.com", Password, "3");
}
