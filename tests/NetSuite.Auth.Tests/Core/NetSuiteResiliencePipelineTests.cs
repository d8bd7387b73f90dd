using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Auth.Tba;
using NetSuite.Auth.Tests.Support;

namespace NetSuite.Auth.Tests.Core;

/// <summary>Each retry rule proved through the real AddNetSuiteAuth pipeline with a handler that fails in the chosen way.</summary>
public sealed class NetSuiteResiliencePipelineTests
{
    private const string Concurrency = """{"title":"Bad Request","status":429,"o:errorCode":"USER_ERROR","o:errorDetails":[{"detail":"Concurrent request limit exceeded. Request blocked.","o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]}""";
    private const string Issued = """{"tokenId":"new-token","tokenSecret":"new-secret"}""";
    private const string Info = """{"companyId":"1234567_SB1","roleId":3}""";

    private static Task<NetSuiteResult<TbaToken>> IssueAsync(ServiceProvider provider) =>
        provider.Tba().IssueTokenAsync(Vectors.User(), "ck", "rotation", "123456");

    [Fact]
    public async Task Single_use_call_is_not_retried_after_a_503()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.ServiceUnavailable).ThenRespond(HttpStatusCode.OK, Issued);
        await using var provider = TestServices.Build(handler);

        var result = await IssueAsync(provider);

        Assert.Equal(1, handler.Calls);
        Assert.Equal("http_503", result.Error?.Code);
        Assert.Equal(NetSuiteErrorClass.Transient, result.Error?.Class);
        Assert.True(result.Error?.MayHaveBeenProcessed);
    }

    [Fact]
    public async Task Single_use_call_is_not_retried_after_an_attempt_timeout()
    {
        var handler = new ScriptedHandler().ThenHang().ThenRespond(HttpStatusCode.OK, Issued);
        await using var provider = TestServices.Build(handler, o => o.AttemptTimeout = TimeSpan.FromMilliseconds(200));

        var result = await IssueAsync(provider);

        Assert.Equal(1, handler.Calls);
        Assert.Equal("timeout", result.Error?.Code);
        Assert.True(result.Error?.MayHaveBeenProcessed);
    }

    [Fact]
    public async Task Single_use_call_is_retried_after_connection_refused()
    {
        var handler = new ScriptedHandler().ThenRefuse().ThenRespond(HttpStatusCode.OK, Issued);
        await using var provider = TestServices.Build(handler);

        var result = await IssueAsync(provider);

        Assert.Equal(2, handler.Calls);
        Assert.True(result.IsSuccess);
        Assert.Equal("new-token", result.Value.TokenId);
    }

    [Fact]
    public async Task Single_use_call_is_retried_after_429_CONCURRENCY_LIMIT_EXCEEDED()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.TooManyRequests, Concurrency).ThenRespond(HttpStatusCode.OK, Issued);
        await using var provider = TestServices.Build(handler);

        var result = await IssueAsync(provider);

        Assert.Equal(2, handler.Calls);
        Assert.Equal("new-secret", result.Value.TokenSecret);
    }

    [Fact]
    public async Task Single_use_call_is_retried_after_RESTlet_SSS_REQUEST_LIMIT_EXCEEDED()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.BadRequest, """{"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED","message":"limit"}}""")
            .ThenRespond(HttpStatusCode.OK, Issued);
        await using var provider = TestServices.Build(handler);

        Assert.True((await IssueAsync(provider)).IsSuccess);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Single_use_call_stops_after_the_configured_attempts_when_the_limit_persists()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.TooManyRequests, Concurrency);
        await using var provider = TestServices.Build(handler, o => o.MaxRetryAttempts = 2);

        var result = await IssueAsync(provider);

        Assert.Equal(3, handler.Calls);
        Assert.Equal("CONCURRENCY_LIMIT_EXCEEDED", result.Error?.Code);
        Assert.False(result.Error?.MayHaveBeenProcessed);
    }

    [Fact]
    public async Task Safe_call_is_retried_on_503_and_every_attempt_is_signed_with_a_fresh_nonce()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.ServiceUnavailable).ThenRespond(HttpStatusCode.OK, Info);
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().TokenInfoAsync(Vectors.Small());

        Assert.Equal(2, handler.Calls);
        Assert.Equal("1234567_SB1", result.Value.CompanyId);
        var nonces = handler.Requests.Select(r => r.OAuthParameter("oauth_nonce")).ToList();
        Assert.All(nonces, Assert.NotNull);
        Assert.NotEqual(nonces[0], nonces[1]);
    }

    [Fact]
    public async Task Safe_call_is_retried_after_a_timeout()
    {
        var handler = new ScriptedHandler().ThenHang().ThenRespond(HttpStatusCode.OK, Info);
        await using var provider = TestServices.Build(handler, o => o.AttemptTimeout = TimeSpan.FromMilliseconds(200));

        Assert.True((await provider.Tba().TokenInfoAsync(Vectors.Small())).IsSuccess);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Invalid_login_credentials_are_never_retried()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.Unauthorized, """{"error":{"code":"INVALID_LOGIN_CREDENTIALS","message":"You have entered an invalid email address or password."}}""")
            .ThenRespond(HttpStatusCode.OK);
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().RevokeTokenAsync(Vectors.User(), "ck", "tk");

        Assert.Equal(1, handler.Calls);
        Assert.Equal("INVALID_LOGIN_CREDENTIALS", result.Error?.Code);
        Assert.Equal(NetSuiteErrorClass.NeedsPerson, result.Error?.Class);
        Assert.DoesNotContain(Vectors.Password, result.Error!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_after_is_honoured_to_the_second()
    {
        var time = TestServices.NewFakeTime();
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.TooManyRequests, Concurrency, configure: r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(5)))
            .ThenRespond(HttpStatusCode.OK, Issued);
        await using var provider = TestServices.Build(handler, timeProvider: time);

        var call = IssueAsync(provider);
        await WaitUntil(() => handler.Calls == 1);
        time.Advance(TimeSpan.FromSeconds(4.9));
        await Task.Delay(200);
        Assert.Equal(1, handler.Calls);
        Assert.False(call.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(0.1));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, handler.Calls);
        Assert.True(result.IsSuccess);
    }

    [Fact]
    public async Task Retry_after_longer_than_the_maximum_is_returned_to_the_caller_instead_of_waited_for()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.ServiceUnavailable, configure: r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromMinutes(10)))
            .ThenRespond(HttpStatusCode.OK, Info);
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().TokenInfoAsync(Vectors.Small());

        Assert.Equal(1, handler.Calls);
        Assert.Equal(TimeSpan.FromMinutes(10), result.Error?.RetryAfter);
    }

    [Fact]
    public async Task Circuit_breaker_opens_per_account_and_leaves_other_accounts_alone()
    {
        var broken = NetSuiteAccountId.Parse("1111111");
        var healthy = NetSuiteAccountId.Parse("2222222");
        var handler = new ScriptedHandler().Then(request =>
            request.RequestUri!.Host.StartsWith("1111111.", StringComparison.Ordinal)
                ? ScriptedHandler.Respond(HttpStatusCode.ServiceUnavailable)
                : ScriptedHandler.Respond(HttpStatusCode.OK, Info));
        await using var provider = TestServices.Build(handler, o =>
        {
            o.MaxRetryAttempts = 0;
            o.CircuitBreakerMinimumThroughput = 2;
            o.CircuitBreakerFailureRatio = 0.5;
        });
        var tba = provider.Tba();

        Assert.Equal("http_503", (await tba.TokenInfoAsync(Vectors.Small(broken))).Error?.Code);
        Assert.Equal("http_503", (await tba.TokenInfoAsync(Vectors.Small(broken))).Error?.Code);
        var rejected = await tba.TokenInfoAsync(Vectors.Small(broken));
        var callsToBroken = handler.Requests.Count(r => r.Uri.Host.StartsWith("1111111.", StringComparison.Ordinal));

        Assert.Equal("circuit_open", rejected.Error?.Code);
        Assert.False(rejected.Error?.MayHaveBeenProcessed);
        Assert.Equal(2, callsToBroken);
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await tba.TokenInfoAsync(Vectors.Small(healthy))).IsSuccess);
        }
    }

    [Fact]
    public async Task Pipeline_is_selected_by_the_account_option_not_by_the_host()
    {
        // Two accounts served by one simulator host: one account's failures must not open the other's circuit.
        var handler = new ScriptedHandler().Then(request =>
            request.RequestUri!.AbsolutePath.StartsWith("/1111111/", StringComparison.Ordinal)
                ? ScriptedHandler.Respond(HttpStatusCode.BadGateway)
                : ScriptedHandler.Respond(HttpStatusCode.OK, Info));
        await using var provider = TestServices.Build(
            handler,
            o =>
            {
                o.MaxRetryAttempts = 0;
                o.CircuitBreakerMinimumThroughput = 2;
            },
            e => e.RestletsUrlTemplate = "http://127.0.0.1:5000/{account}/restlets");
        var tba = provider.Tba();

        await tba.TokenInfoAsync(Vectors.Small(NetSuiteAccountId.Parse("1111111")));
        await tba.TokenInfoAsync(Vectors.Small(NetSuiteAccountId.Parse("1111111")));

        Assert.Equal("circuit_open", (await tba.TokenInfoAsync(Vectors.Small(NetSuiteAccountId.Parse("1111111")))).Error?.Code);
        Assert.True((await tba.TokenInfoAsync(Vectors.Small(NetSuiteAccountId.Parse("2222222")))).IsSuccess);
    }

    [Fact]
    public async Task Real_refused_loopback_connection_is_retried_even_for_a_single_use_call()
    {
        // A real socket: bind a port, release it, and connect to it; the OS refuses the connection.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var counter = new CountingHandler();
        var services = new ServiceCollection();
        services.AddNetSuiteAuth(
            e => e.RestletsUrlTemplate = $"http://127.0.0.1:{port}/{{account}}/restlets",
            r =>
            {
                r.MaxRetryAttempts = 2;
                r.BaseDelay = TimeSpan.FromMilliseconds(1);
            });
        services.AddHttpClient<NetSuiteTbaClient>().AddHttpMessageHandler(() => counter);
        await using var provider = services.BuildServiceProvider();

        var result = await provider.Tba().IssueTokenAsync(Vectors.User(), "ck");

        Assert.Equal(3, counter.Calls);
        Assert.Equal("connection_refused", result.Error?.Code);
        Assert.False(result.Error?.MayHaveBeenProcessed);
    }

    [Fact]
    public async Task Caller_cancellation_is_rethrown_not_turned_into_an_error()
    {
        var handler = new ScriptedHandler().ThenHang();
        await using var provider = TestServices.Build(handler);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.Tba().TokenInfoAsync(Vectors.Small(), cancellation.Token));
    }

    [Fact]
    public void Request_options_default_to_single_use_and_no_account()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.com/");

        Assert.Equal(NetSuiteCallSafety.SingleUse, request.GetNetSuiteCallSafety());
        Assert.Null(request.GetNetSuiteAccount());
        request.ForNetSuite(Vectors.Sandbox, NetSuiteCallSafety.SafeToRetry);
        Assert.Equal(NetSuiteCallSafety.SafeToRetry, request.GetNetSuiteCallSafety());
        Assert.Equal(Vectors.Sandbox, request.GetNetSuiteAccount());
        Assert.Throws<ArgumentNullException>(() => ((HttpRequestMessage)null!).ForNetSuite(Vectors.Sandbox, NetSuiteCallSafety.SafeToRetry));
        Assert.Throws<ArgumentNullException>(() => request.ForNetSuite(null!, NetSuiteCallSafety.SafeToRetry));
        Assert.Throws<ArgumentNullException>(() => ((HttpRequestMessage)null!).GetNetSuiteCallSafety());
        Assert.Throws<ArgumentNullException>(() => ((HttpRequestMessage)null!).GetNetSuiteAccount());
    }

    [Fact]
    public async Task Requests_without_account_or_safety_go_through_one_shared_single_use_pipeline()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.ServiceUnavailable).ThenRespond(HttpStatusCode.OK);
        var services = new ServiceCollection();
        services.AddOptions<NetSuiteResilienceOptions>().Configure(o => o.BaseDelay = TimeSpan.FromMilliseconds(1));
        services.AddHttpClient("plain").AddNetSuiteResilience().ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("plain");

        using var response = await client.GetAsync(new Uri("https://example.com/"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, handler.Calls);
        Assert.Null(handler.Requests.Single().Authorization);
    }

    [Fact]
    public void AddNetSuiteAuth_registers_every_client_and_keeps_a_registered_TimeProvider()
    {
        var time = TestServices.NewFakeTime();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddNetSuiteAuth();
        using var provider = services.BuildServiceProvider();

        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        Assert.NotNull(provider.GetRequiredService<NetSuiteTbaClient>());
        Assert.NotNull(provider.GetRequiredService<NetSuiteDataCenterClient>());
        Assert.NotNull(provider.GetRequiredService<NetSuite.Auth.OAuth2.NetSuiteTokenClient>());
        Assert.Equal("https://1.suitetalk.api.netsuite.com/", provider.GetRequiredService<NetSuiteEndpoints>().SuiteTalk(NetSuiteAccountId.Parse("1")).AbsoluteUri);
        Assert.Throws<ArgumentNullException>(() => NetSuiteServiceCollectionExtensions.AddNetSuiteAuth(null!));
        Assert.Throws<ArgumentNullException>(() => NetSuiteHttpClientBuilderExtensions.AddNetSuiteResilience(null!));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "Condition not reached in 10 s.");
            await Task.Delay(10);
        }
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
