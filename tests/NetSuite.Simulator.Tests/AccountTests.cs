using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Tests;

/// <summary>How requests name their account, discovery, sandbox refresh and the sample account.</summary>
public sealed class AccountTests
{
    [Fact]
    public async Task Templates_name_the_account_in_the_first_path_segment()
    {
        await using var h = await Harness.StartAsync();

        Assert.Equal($"{h.Sim.BaseUrl}/{{account}}/suitetalk", h.Sim.SuiteTalkTemplate);
        Assert.Equal($"{h.Sim.BaseUrl}/{{account}}/restlets", h.Sim.RestletsTemplate);
        Assert.Equal($"{h.Sim.BaseUrl}/{{account}}/app", h.Sim.AppTemplate);
        Assert.StartsWith("http://127.0.0.1:", h.Sim.BaseUrl, StringComparison.Ordinal);
        Assert.Equal(h.Sim.SuiteTalkTemplate.Replace("{account}", "1234567-sb1", StringComparison.Ordinal) + "/services/rest/auth/oauth2/v1/token", h.Sim.TokenUrl(Harness.Account));
    }

    [Fact]
    public async Task Unknown_account_is_not_found()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.GetAsync(h.Sim.RecordUrl("9999999"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Datacenterurls_answers_with_the_simulators_own_urls()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.GetAsync(h.Sim.BaseUrl + "/rest/datacenterurls?account=1234567_SB1");
        var json = await Harness.Json(response);

        Assert.Equal(h.Sim.RestletsUrl(Harness.Account), json.GetProperty("restDomain").GetString());
        Assert.Equal(h.Sim.SuiteTalkUrl(Harness.Account), json.GetProperty("webservicesDomain").GetString());
        Assert.Equal(h.Sim.AppUrl(Harness.Account), json.GetProperty("systemDomain").GetString());
        using var unknown = await h.Http.GetAsync(h.Sim.BaseUrl + "/rest/datacenterurls?account=404");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task Sandbox_refresh_wipes_tokens_and_client_credentials_mappings()
    {
        await using var h = await Harness.StartAsync();
        var tba = h.IssueTba();
        var oauth = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email);
        h.State.AddGeneratedCertificate(Harness.Account, h.Integration.ClientId, Harness.Email, 1000);

        h.State.RefreshSandbox(Harness.Account);

        Assert.All(h.State.TokensFor(Harness.Account), t => Assert.Equal(TokenStatus.Wiped, t.Status));
        Assert.Empty(h.State.Certificates(Harness.Account));
        using var tbaCall = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), tba));
        using var refresh = await h.RefreshAsync(oauth.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, tbaCall.StatusCode);
        Assert.Equal("invalid_grant", await Harness.OAuthError(refresh));
        Assert.Single(h.State.GetAccount(Harness.Account).Integrations);
        Assert.Throws<InvalidOperationException>(() => h.State.RefreshSandbox(h.State.AddAccount("1111111").Id));
    }

    [Fact]
    public async Task Sample_account_supports_issuetoken_with_two_factor_for_the_administrator_role()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var sim = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = clock, SeedSampleAccount = true });
        using var http = new HttpClient();
        var otp = Totp.Compute(SampleSeed.TotpSecret, clock.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{sim.RestletsUrl(SampleSeed.AccountId)}/rest/issuetoken?consumerKey={SampleSeed.ClientId}&name=demo");
        request.Headers.TryAddWithoutValidation("Authorization", Harness.NlAuth(SampleSeed.AccountId, SampleSeed.Email, SampleSeed.Password, 3, otp));
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, sim.State.ActiveTbaTokens(SampleSeed.AccountId).Count);
    }

    [Fact]
    public async Task Root_page_explains_how_a_request_names_its_account()
    {
        await using var h = await Harness.StartAsync();
        var text = await h.Http.GetStringAsync(h.Sim.BaseUrl + "/");

        Assert.Contains("{account}", text, StringComparison.Ordinal);
        Assert.Contains(h.Sim.BaseUrl, text, StringComparison.Ordinal);
    }
}

/// <summary>The JSON admin API that the demo and the out-of-process benchmark use.</summary>
public sealed class AdminApiTests
{
    [Fact]
    public async Task Seeding_through_the_admin_API_gives_working_credentials()
    {
        await using var h = await Harness.StartAsync(seed: false);
        var admin = h.Sim.BaseUrl + "/_admin";
        (await h.Http.PostAsJsonAsync($"{admin}/accounts", new { accountId = "7654321_SB2", concurrencyLimit = 3 })).EnsureSuccessStatusCode();
        (await h.Http.PostAsJsonAsync($"{admin}/accounts/7654321_SB2/users", new { email = "ops@example.com", password = "Pw-1!", roleIds = new[] { 1000 } })).EnsureSuccessStatusCode();
        using var created = await h.Http.PostAsJsonAsync($"{admin}/accounts/7654321-sb2/integrations", new { name = "Ops", redirectUris = new[] { "https://ops.example.com/cb" } });
        var integration = await Harness.Json(created);
        using var tokenResponse = await h.Http.PostAsJsonAsync($"{admin}/accounts/7654321_SB2/tba-tokens",
            new { consumerKey = integration.GetProperty("consumerKey").GetString(), email = "ops@example.com", roleId = 1000 });
        var issued = (await tokenResponse.Content.ReadFromJsonAsync<IssuedTbaToken>())!;

        using var call = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl("7654321_SB2"), issued));
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);

        var tokens = await Harness.Json(await h.Http.GetAsync($"{admin}/tokens?account=7654321_SB2&kind=Tba&status=Active"));
        Assert.Equal(issued.TokenId, Assert.Single(tokens.EnumerateArray()).GetProperty("id").GetString());
        var audit = await h.Http.GetStringAsync($"{admin}/audit?account=7654321_SB2");
        Assert.Contains("\"success\":true", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.TokenSecret, audit, StringComparison.Ordinal);
        var accounts = await h.Http.GetStringAsync($"{admin}/accounts/7654321_SB2");
        Assert.DoesNotContain(integration.GetProperty("clientSecret").GetString()!, accounts, StringComparison.Ordinal);
        Assert.DoesNotContain("Pw-1!", accounts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sandbox_refresh_over_HTTP_wipes_the_accounts_tokens_and_refuses_a_production_account()
    {
        await using var h = await Harness.StartAsync();
        var admin = h.Sim.BaseUrl + "/_admin";
        var tba = h.IssueTba();
        h.State.AddAccount("7654321");

        using var refreshed = await h.Http.PostAsync($"{admin}/accounts/{Harness.Account}/sandbox-refresh", null);
        using var production = await h.Http.PostAsync($"{admin}/accounts/7654321/sandbox-refresh", null);

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(1, (await Harness.Json(refreshed)).GetProperty("sandboxRefreshCount").GetInt32());
        Assert.Equal(TokenStatus.Wiped, Assert.Single(h.State.TokensFor(Harness.Account), t => t.Id == tba.TokenId).Status);
        using var call = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), tba));
        Assert.Equal(HttpStatusCode.Unauthorized, call.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, production.StatusCode);
        Assert.Contains("not a sandbox", await production.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Modes_and_faults_can_be_set_over_HTTP()
    {
        await using var h = await Harness.StartAsync();
        var admin = h.Sim.BaseUrl + "/_admin";
        using var modes = await h.Http.PutAsJsonAsync($"{admin}/modes", new { oAuth2RevokeResponse = "NoContent204", retryAfter = "00:00:05", tokenCallsCountTowardConcurrency = false });
        Assert.Equal(HttpStatusCode.OK, modes.StatusCode);
        Assert.Equal(RevokeResponseMode.NoContent204, h.Sim.Modes.OAuth2RevokeResponse);
        Assert.Equal(TimeSpan.FromSeconds(5), h.Sim.Modes.RetryAfter);
        Assert.False(h.Sim.Modes.TokenCallsCountTowardConcurrency);

        using var fault = await h.Http.PostAsJsonAsync($"{admin}/faults", new { endpoint = "Restlet", action = "Status", statusCode = 502, times = 1 });
        Assert.Equal(HttpStatusCode.Created, fault.StatusCode);
        using var call = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), h.IssueTba()));
        Assert.Equal(HttpStatusCode.BadGateway, call.StatusCode);

        using var unknownMode = await h.Http.PutAsJsonAsync($"{admin}/modes", new { noSuchMode = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, unknownMode.StatusCode);
    }

    [Fact]
    public async Task Bulk_seed_and_concurrency_figures_are_available_over_HTTP()
    {
        await using var h = await Harness.StartAsync(seed: false);
        var admin = h.Sim.BaseUrl + "/_admin";
        using var seeded = await h.Http.PostAsJsonAsync($"{admin}/seed/bulk", new { accounts = 3, connectionsPerAccount = 4, includeClientCredentials = false });
        var json = await Harness.Json(seeded);

        Assert.Equal(12, json.GetProperty("connections").GetInt32());
        Assert.Equal(3, h.State.Accounts.Count);
        Assert.Equal(12, h.State.Accounts.Sum(a => a.Users.Count));
        var concurrency = await Harness.Json(await h.Http.GetAsync($"{admin}/concurrency"));
        Assert.Equal(3, concurrency.GetArrayLength());
        var first = json.GetProperty("seeded")[0];
        Assert.Equal(JsonValueKind.String, first.GetProperty("password").ValueKind);
    }

    [Fact]
    public async Task Clock_cannot_be_advanced_over_HTTP_when_the_test_owns_it()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.PostAsJsonAsync(h.Sim.BaseUrl + "/_admin/clock/advance", new { seconds = 60 });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Adjustable_clock_can_be_advanced_over_HTTP()
    {
        var clock = new AdjustableTimeProvider();
        await using var sim = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = clock });
        using var http = new HttpClient();
        var before = clock.GetUtcNow();
        using var response = await http.PostAsJsonAsync(sim.BaseUrl + "/_admin/clock/advance", new { seconds = 7200 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.GetUtcNow() - before >= TimeSpan.FromHours(2));
    }
}
