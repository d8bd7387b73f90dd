using System.Net;
using System.Text.Json;

namespace NetSuite.Simulator.Tests;

/// <summary>Fault injection per endpoint: latency, 5xx, 429, malformed and HTML bodies, and the lost answer.</summary>
public sealed class FaultTests
{
    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task Status_fault_answers_without_processing(int status)
    {
        await using var h = await Harness.StartAsync();
        h.Sim.Faults.AddStatus(SimEndpoint.IssueToken, status, times: 1);
        using var faulted = await h.GetWithAuthorization(h.IssueTokenUrl(), Harness.NlAuth(Harness.Account, Harness.Email, Harness.Password, 1000));
        Assert.Empty(h.State.ActiveTbaTokens(Harness.Account));
        using var next = await h.GetWithAuthorization(h.IssueTokenUrl(), Harness.NlAuth(Harness.Account, Harness.Email, Harness.Password, 1000));

        Assert.Equal(status, (int)faulted.StatusCode);
        Assert.Equal("text/html", faulted.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Single(h.State.ActiveTbaTokens(Harness.Account));
    }

    [Fact]
    public async Task Too_many_requests_fault_carries_its_Retry_After()
    {
        await using var h = await Harness.StartAsync();
        h.Sim.Faults.AddTooManyRequests(SimEndpoint.Token, TimeSpan.FromSeconds(3));
        using var response = await h.RefreshAsync(h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email).RefreshToken);

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter!.Delta);
    }

    [Fact]
    public async Task Malformed_JSON_and_HTML_bodies_cannot_be_parsed_as_token_responses()
    {
        await using var h = await Harness.StartAsync();
        var refresh = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email).RefreshToken;
        h.Sim.Faults.Add(new FaultRule { Endpoint = SimEndpoint.Token, Action = FaultAction.MalformedJson, Remaining = 1 });
        h.Sim.Faults.Add(new FaultRule { Endpoint = SimEndpoint.Token, Action = FaultAction.HtmlBody, Remaining = 1 });

        using var malformed = await h.RefreshAsync(refresh);
        var malformedBody = await malformed.Content.ReadAsStringAsync();
        using var html = await h.RefreshAsync(refresh);

        Assert.Equal(HttpStatusCode.OK, malformed.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(malformedBody));
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        Assert.Empty(h.Sim.Faults.Rules);
    }

    [Fact]
    public async Task Dropped_issuetoken_answer_leaves_an_orphaned_active_token()
    {
        await using var h = await Harness.StartAsync();
        h.Sim.Faults.DropResponseAfterProcessing(SimEndpoint.IssueToken);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
            h.GetWithAuthorization(h.IssueTokenUrl(name: "rotation-7"), Harness.NlAuth(Harness.Account, Harness.Email, Harness.Password, 1000)));

        var orphan = Assert.Single(h.State.OrphanedTokens(Harness.Account));
        Assert.Equal(TokenKind.Tba, orphan.Kind);
        Assert.Equal("rotation-7", orphan.Name);
        Assert.Equal(TokenStatus.Active, orphan.Status);
        Assert.Contains(h.State.AuditTrailFor(Harness.Account), e => e.Detail == "ResponseLost");
    }

    [Fact]
    public async Task Dropped_public_refresh_answer_spends_the_old_refresh_token()
    {
        await using var h = await Harness.StartAsync();
        var publicClient = h.State.AddIntegration(Harness.Account, new IntegrationSpec { PublicClient = true, RedirectUris = [Harness.RedirectUri] });
        var refresh = (await h.CodeGrantAsync(publicClient)).GetProperty("refresh_token").GetString()!;
        h.Sim.Faults.DropResponseAfterProcessing(SimEndpoint.Token);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => h.RefreshAsync(refresh, publicClient));
        using var retry = await h.RefreshAsync(refresh, publicClient);

        Assert.Equal("invalid_grant", await Harness.OAuthError(retry));
        Assert.Contains(h.State.OrphanedTokens(Harness.Account), t => t.Kind == TokenKind.OAuth2Refresh);
    }

    [Fact]
    public async Task Connection_dropped_before_processing_changes_nothing()
    {
        await using var h = await Harness.StartAsync();
        h.Sim.Faults.Add(new FaultRule { Endpoint = SimEndpoint.IssueToken, Action = FaultAction.DropConnection, Timing = FaultTiming.BeforeProcessing, Remaining = 1 });

        await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
            h.GetWithAuthorization(h.IssueTokenUrl(), Harness.NlAuth(Harness.Account, Harness.Email, Harness.Password, 1000)));

        Assert.Empty(h.State.ActiveTbaTokens(Harness.Account));
    }

    [Fact]
    public async Task Faults_can_target_one_account_and_latency_is_added()
    {
        await using var h = await Harness.StartAsync();
        h.State.AddAccount("7654321");
        h.Sim.Faults.AddStatus(SimEndpoint.Any, 503, times: null, account: "7654321");
        h.Sim.Faults.AddLatency(SimEndpoint.DataCenterUrls, TimeSpan.FromMilliseconds(150), times: 1, account: Harness.Account);

        using var other = await h.Http.GetAsync(h.Sim.BaseUrl + "/rest/datacenterurls?account=7654321");
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var mine = await h.Http.GetAsync(h.Sim.BaseUrl + "/rest/datacenterurls?account=1234567_SB1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.True(started.ElapsedMilliseconds >= 140, $"latency not applied ({started.ElapsedMilliseconds} ms)");
    }
}
