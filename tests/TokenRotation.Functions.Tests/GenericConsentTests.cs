using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Engine;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// A connection imported without an account: its consent link starts at NetSuite's generic authorize page (the
/// simulator's), the person's login chooses the account, the redirect's <c>company</c> says where to exchange the code
/// (domains from <c>datacenterurls</c>), and the issued tokens confirm the account before it is pinned.
/// </summary>
public sealed class GenericConsentTests
{
    private const string Other = "7654321";

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_connection_imported_without_an_account_is_consented_in_a_browser_through_the_generic_page_and_refreshes_afterwards()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var integration = SeedTwoAccounts(env);
        var name = FunctionsTestEnvironment.NewName();
        await ImportWithoutAccountAsync(env, name, integration);
        var link = (await env.Services.GetRequiredService<ConsentLinkFactory>().CreateAsync(ConnectionName.Parse(name)))!;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserConsentTests.ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            Timeout = 60_000,
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);

        await page.GotoAsync(link);
        Assert.StartsWith(env.Simulator.GenericAuthorizeUrl, page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("prompt=login", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#email", FunctionsTestEnvironment.UserEmail);
        await page.FillAsync("#password", FunctionsTestEnvironment.UserPassword);
        await page.ClickAsync("#submit");

        // The user belongs to two accounts with this integration, so NetSuite asks which one.
        await page.Locator("#account-1234567-sb1").WaitForAsync();
        Assert.Equal(2, await page.Locator("a[id^=account-]").CountAsync());
        await page.ClickAsync("#account-1234567-sb1");
        await page.Locator("#allow").WaitForAsync();
        Assert.StartsWith(env.Simulator.AppUrl(FunctionsTestEnvironment.Account), page.Url, StringComparison.Ordinal);
        await page.ClickAsync("#allow");
        await page.WaitForURLAsync(url => url.StartsWith(env.CallbackUrl, StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.Locator("h1").WaitForAsync();

        Assert.Equal("Connected", await page.Locator("h1").TextContentAsync());
        Assert.Contains("company=1234567_SB1", page.Url, StringComparison.Ordinal);
        var stored = (await env.GetAsync(name))!;
        Assert.Equal(FunctionsTestEnvironment.Account, stored.Account);
        Assert.Equal(ConnectionStatus.Healthy, stored.Status);
        Assert.Equal("1000", stored.OAuth2!.ExpectedRoleId);
        Assert.NotNull(stored.OAuth2.ExpectedEntityId);
        Assert.Equal(FunctionsTestEnvironment.Account, stored.StoredIndex!.Account);
        var issued = Assert.Single(env.Simulator.State.TokensFor(FunctionsTestEnvironment.Account), t => t.Kind == NetSuite.Simulator.TokenKind.OAuth2Refresh);
        Assert.Equal(integration.ClientId, issued.ClientId);
        Assert.DoesNotContain(env.Simulator.State.TokensFor(Other), t => t.Kind == NetSuite.Simulator.TokenKind.OAuth2Refresh);
        var first = (await env.GetProjectionAsync(name))!.Value;

        // An hour later the timer's run refreshes it in the chosen account, like any other connection.
        env.Time.Advance(TimeSpan.FromMinutes(61));
        var refreshed = await env.Services.GetRequiredService<ConnectionProcessor>().RunAsync(ConnectionName.Parse(name), RunRequest.Sweep(false));

        Assert.Equal(OutcomeKind.Succeeded, refreshed.Kind);
        Assert.NotEqual(first, (await env.GetProjectionAsync(name))!.Value);
        Assert.Equal(FunctionsTestEnvironment.Account, (await env.GetAsync(name))!.Account);
    }

    [Theory]
    [InlineData(CompanyParameterFormat.Realm)]
    [InlineData(CompanyParameterFormat.HostLabel)]
    public async Task A_sandbox_account_chosen_at_the_generic_page_round_trips_through_discovery_and_is_pinned_in_realm_form(CompanyParameterFormat format)
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var integration = env.SeedAccount();
        var name = FunctionsTestEnvironment.NewName();
        await ImportWithoutAccountAsync(env, name, integration);
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        env.Simulator.Modes.CompanyParameter = format;

        // Discovery is what gives the domains: when it fails for the sandbox, nothing is exchanged or pinned.
        env.Simulator.Faults.AddStatus(SimEndpoint.DataCenterUrls, 503, times: 10, account: FunctionsTestEnvironment.Account);
        var browser = new ConsentFlowTests.Browser(env);
        var callback = await FollowNetSuiteAsync(env, await browser.OpenConsentLinkAsync(name));
        var failed = await browser.GetPageAsync(callback);
        Assert.NotEqual(HttpStatusCode.OK, failed.Status);
        Assert.Contains("data-center discovery", failed.Document.QuerySelector("#message")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("", (await env.GetAsync(name))!.Account);
        Assert.DoesNotContain(env.Simulator.State.TokensFor(FunctionsTestEnvironment.Account), t => t.Kind == NetSuite.Simulator.TokenKind.OAuth2Refresh);

        env.Simulator.Faults.Clear();
        callback = await FollowNetSuiteAsync(env, await browser.OpenConsentLinkAsync(name));
        Assert.Equal(format == CompanyParameterFormat.Realm ? "1234567_SB1" : "1234567-sb1", ConsentFlowTests.Query(callback, "company"));
        var page = await browser.GetPageAsync(callback);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("1234567_SB1", (await env.GetAsync(name))!.Account);
        Assert.Equal(ConnectionStatus.Healthy, (await env.GetAsync(name))!.Status);
    }

    [Fact]
    public async Task A_consent_in_an_account_outside_the_allowed_set_is_refused_and_leaves_no_live_token()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var integration = SeedTwoAccounts(env);
        var name = FunctionsTestEnvironment.NewName();
        var before = await ImportWithoutAccountAsync(env, name, integration, allowed: ["7654321_SB*"]);
        Assert.Equal(["7654321_SB*"], before.OAuth2!.AllowedAccounts);
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var browser = new ConsentFlowTests.Browser(env);

        var callback = await FollowNetSuiteAsync(env, await browser.OpenConsentLinkAsync(name));
        Assert.Equal(FunctionsTestEnvironment.Account, ConsentFlowTests.Query(callback, "company"));
        var page = await browser.GetPageAsync(callback);

        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Equal("Refused", page.Outcome);
        var message = page.Document.QuerySelector("#message")!.TextContent;
        Assert.Contains("may only bind to 7654321_SB*", message, StringComparison.Ordinal);
        Assert.Contains("issued no tokens", message, StringComparison.Ordinal);
        await ConsentFlowTests.AssertNothingStoredAsync(env, name, before);
        Assert.DoesNotContain(env.Simulator.State.Tokens, t => t.Kind == NetSuite.Simulator.TokenKind.OAuth2Refresh && t.Status != NetSuite.Simulator.TokenStatus.Revoked);
    }

    [Fact]
    public async Task A_company_edited_in_the_redirect_to_another_allowed_account_binds_no_account_and_leaves_no_live_token()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var integration = SeedTwoAccounts(env);
        var name = FunctionsTestEnvironment.NewName();
        var before = await ImportWithoutAccountAsync(env, name, integration);
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var browser = new ConsentFlowTests.Browser(env);
        var callback = await FollowNetSuiteAsync(env, await browser.OpenConsentLinkAsync(name));
        Assert.Equal(FunctionsTestEnvironment.Account, ConsentFlowTests.Query(callback, "company"));

        // Whoever holds the browser points the code at another account that has the same integration.
        var page = await browser.GetPageAsync(new Uri(callback.AbsoluteUri.Replace(
            $"company={FunctionsTestEnvironment.Account}", $"company={Other}", StringComparison.Ordinal)));

        Assert.NotEqual(HttpStatusCode.OK, page.Status);
        Assert.NotEqual("Connected", page.Outcome);
        var after = (await env.GetAsync(name))!;
        Assert.Equal("", after.Account);
        Assert.Null(after.OAuth2!.RefreshToken);
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Null(await env.GetProjectionAsync(name));
        Assert.DoesNotContain(env.Simulator.State.Tokens, t => t.Kind == NetSuite.Simulator.TokenKind.OAuth2Refresh && t.Status != NetSuite.Simulator.TokenStatus.Revoked);
        Assert.Equal(before.OAuth2!.ExpectedRoleId, after.OAuth2.ExpectedRoleId);
    }

    [Fact]
    public async Task Importing_without_an_account_refuses_allowed_accounts_it_cannot_read_and_allowed_accounts_beside_an_account()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var integration = env.SeedAccount();
        var admin = env.Services.GetRequiredService<ConnectionImport>();

        var bad = await admin.ImportAsync(Document(FunctionsTestEnvironment.NewName(), integration, "", ["1234567_SB1*x"]), dryRun: false);
        var beside = await admin.ImportAsync(Document(FunctionsTestEnvironment.NewName(), integration, FunctionsTestEnvironment.Account, ["1234567_SB*"]), dryRun: false);

        Assert.Equal(OutcomeKind.Refused, bad.Kind);
        Assert.Contains("'1234567_SB1*x' is not an allowed-account entry", bad.Message, StringComparison.Ordinal);
        Assert.Equal(OutcomeKind.Refused, beside.Kind);
        Assert.Contains("only to a connection imported without an account", beside.Message, StringComparison.Ordinal);
    }

    /// <summary>The sandbox of <see cref="FunctionsTestEnvironment.Account"/> and account 7654321, with the same integration and user.</summary>
    private static SimIntegration SeedTwoAccounts(FunctionsTestEnvironment env)
    {
        var integration = env.SeedAccount();
        env.Simulator.State.AddAccount(Other, concurrencyLimit: 5);
        env.Simulator.State.AddRole(Other, FunctionsTestEnvironment.IntegrationRole, "Integration Role", twoFactorRequired: true);
        env.Simulator.State.AddUser(Other, FunctionsTestEnvironment.UserEmail, FunctionsTestEnvironment.UserPassword, FunctionsTestEnvironment.TotpSecret, FunctionsTestEnvironment.IntegrationRole);
        env.Simulator.State.SetConsentUser(Other, FunctionsTestEnvironment.UserEmail, FunctionsTestEnvironment.IntegrationRole);
        env.Simulator.State.AddIntegration(Other, new IntegrationSpec { RedirectUris = [env.CallbackUrl], ClientId = integration.ClientId, ClientSecret = integration.ClientSecret });
        return integration;
    }

    private static ConnectionDocument Document(string name, SimIntegration integration, string account, List<string>? allowed) => new()
    {
        Name = name,
        Kind = ConnectionKind.OAuth2AuthorizationCode,
        Account = account,
        OAuth2 = new OAuth2Definition
        {
            ClientId = integration.ClientId,
            ClientSecret = integration.ClientSecret,
            RedirectUri = "https://func-test.example.net/api/oauth/callback",
            AllowedAccounts = allowed,
        },
    };

    private static async Task<ConnectionDocument> ImportWithoutAccountAsync(FunctionsTestEnvironment env, string name, SimIntegration integration, List<string>? allowed = null)
    {
        var document = Document(name, integration, "", allowed);
        document.OAuth2!.RedirectUri = env.CallbackUrl;
        var outcome = await env.Services.GetRequiredService<ConnectionImport>().ImportAsync(document, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        Assert.Contains("without an account", outcome.Message, StringComparison.Ordinal);
        var stored = (await env.GetAsync(name))!;
        Assert.Equal("", stored.Account);
        Assert.Equal(ConnectionStatus.NeedsPerson, stored.Status);
        return stored;
    }

    /// <summary>Follows the simulator's redirects (generic page, then the account's page, approving at once) to our callback.</summary>
    private static async Task<Uri> FollowNetSuiteAsync(FunctionsTestEnvironment env, ConsentFlowTests.Page start)
    {
        Assert.StartsWith(env.Simulator.GenericAuthorizeUrl, start.Location!.AbsoluteUri, StringComparison.Ordinal);
        using var netsuite = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var next = start.Location!;
        for (var hop = 0; hop < 3; hop++)
        {
            using var response = await netsuite.GetAsync(next);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            next = response.Headers.Location!;
            if (next.AbsoluteUri.StartsWith(env.CallbackUrl, StringComparison.Ordinal))
            {
                return next;
            }
        }

        throw new InvalidOperationException("NetSuite did not redirect to the callback.");
    }
}
