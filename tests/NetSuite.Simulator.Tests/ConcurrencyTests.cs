using System.Net;

namespace NetSuite.Simulator.Tests;

/// <summary>Per-account concurrency: NetSuite's documented answers, the delayed invalid-login variant, and the modes.</summary>
public sealed class ConcurrencyTests
{
    /// <summary>Starts a request that holds the account's only slot (an injected wall-clock latency) and waits until it is in flight.</summary>
    private static async Task<Task<HttpResponseMessage>> HoldTheSlotAsync(Harness h, IssuedTbaToken token)
    {
        h.Sim.Faults.AddLatency(SimEndpoint.Restlet, TimeSpan.FromMilliseconds(800), times: 1);
        var holder = h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token));
        var waited = 0;
        while (h.State.Concurrency(Harness.Account).InFlight < 1)
        {
            Assert.True(waited++ < 500, "the holding request never started");
            await Task.Delay(10);
        }

        return holder;
    }

    [Fact]
    public async Task Over_the_limit_a_RESTlet_gets_400_SSS_REQUEST_LIMIT_EXCEEDED_and_REST_gets_429()
    {
        await using var h = await Harness.StartAsync(concurrencyLimit: 1);
        var token = h.IssueTba();
        var holder = await HoldTheSlotAsync(h, token);

        using var restlet = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token));
        using var rest = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RecordUrl(Harness.Account), token));
        using var held = await holder;

        Assert.Equal(HttpStatusCode.BadRequest, restlet.StatusCode);
        Assert.Equal("SSS_REQUEST_LIMIT_EXCEEDED", await Harness.RestletErrorCode(restlet));
        Assert.Equal((HttpStatusCode)429, rest.StatusCode);
        Assert.Equal("CONCURRENCY_LIMIT_EXCEEDED", await Harness.RestErrorCode(rest));
        Assert.False(rest.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        var stats = h.State.Concurrency(Harness.Account);
        Assert.Equal(2, stats.MaxSeen);
        Assert.Equal(1, stats.MaxAdmitted);
        Assert.Equal(2, stats.Rejected);
        Assert.Equal(2, h.State.MaxConcurrencySeen(Harness.Account));
    }

    [Fact]
    public async Task Retry_After_is_sent_when_the_mode_sets_it()
    {
        await using var h = await Harness.StartAsync(m => m.RetryAfter = TimeSpan.FromSeconds(7), concurrencyLimit: 1);
        var token = h.IssueTba();
        var holder = await HoldTheSlotAsync(h, token);
        using var rest = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RecordUrl(Harness.Account), token));
        (await holder).Dispose();

        Assert.Equal((HttpStatusCode)429, rest.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), rest.Headers.RetryAfter!.Delta);
    }

    [Fact]
    public async Task Overload_can_surface_as_a_delayed_invalid_login_attempt()
    {
        await using var h = await Harness.StartAsync(m =>
        {
            m.Overload = OverloadMode.InvalidLoginAfterDelay;
            m.OverloadDelay = TimeSpan.FromMilliseconds(50);
        }, concurrencyLimit: 1);
        var token = h.IssueTba();
        var holder = await HoldTheSlotAsync(h, token);
        using var restlet = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token));
        (await holder).Dispose();

        Assert.Equal(HttpStatusCode.Unauthorized, restlet.StatusCode);
        Assert.Equal("INVALID_LOGIN_ATTEMPT", await Harness.RestletErrorCode(restlet));
        Assert.Contains(h.State.AuditTrailFor(Harness.Account), e => e.Detail == "ConcurrencyLimitExceeded");
    }

    [Theory]
    [InlineData(true, (HttpStatusCode)429)]
    [InlineData(false, HttpStatusCode.OK)]
    public async Task Token_calls_count_toward_concurrency_only_in_that_mode(bool counts, HttpStatusCode expected)
    {
        await using var h = await Harness.StartAsync(m => m.TokenCallsCountTowardConcurrency = counts, concurrencyLimit: 1);
        var token = h.IssueTba();
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email);
        var holder = await HoldTheSlotAsync(h, token);
        using var refresh = await h.RefreshAsync(issued.RefreshToken);
        (await holder).Dispose();

        Assert.Equal(expected, refresh.StatusCode);
    }

    [Fact]
    public async Task Accounts_have_separate_limits_on_the_one_port()
    {
        await using var h = await Harness.StartAsync(concurrencyLimit: 1);
        h.State.AddAccount("7654321", concurrencyLimit: 1);
        h.State.AddUser("7654321", Harness.Email, Harness.Password);
        var other = h.State.AddIntegration("7654321");
        var otherToken = h.State.IssueTbaToken("7654321", other.ConsumerKey, Harness.Email);
        var holder = await HoldTheSlotAsync(h, h.IssueTba());

        using var response = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl("7654321"), otherToken));
        (await holder).Dispose();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, h.State.MaxConcurrencySeen("7654321"));
    }
}
