using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Coordination;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// The consent flow without a browser: an HttpClient with a cookie jar goes from a consent link through the NetSuite
/// simulator (its test switches approve or deny at once) to our callback on the HTTPS test host, and AngleSharp
/// reads the pages. Every refusal is checked for its page and for nothing having been stored.
/// </summary>
public sealed class ConsentFlowTests
{
    [Fact]
    public async Task Allow_through_a_consent_link_stores_the_tokens_and_the_page_says_so()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var integration = env.SeedAccount();
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, integration);
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var browser = new Browser(env);

        var start = await browser.OpenConsentLinkAsync(name);
        var callback = await browser.NetSuiteRedirectAsync(start);
        var page = await browser.GetPageAsync(callback);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("Connected", page.Document.QuerySelector("h1")!.TextContent);
        Assert.Contains("the tokens are stored in Key Vault", page.Document.QuerySelector("#message")!.TextContent, StringComparison.Ordinal);
        var stored = (await env.GetAsync(name))!;
        Assert.Equal(ConnectionStatus.Healthy, stored.Status);
        Assert.NotNull(stored.OAuth2!.RefreshToken);
        Assert.Equal("1000", stored.OAuth2.ExpectedRoleId);
        var projection = await env.GetProjectionAsync(name);
        Assert.NotNull(projection);
        Assert.DoesNotContain(stored.OAuth2.RefreshToken, page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(Query(callback, "code")!, page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(Query(callback, "state")!, page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(integration.ClientSecret, page.Html, StringComparison.Ordinal);
        StatusTests.AssertNoSecret(env.Host.Logs.AllText(), [stored.OAuth2.RefreshToken, projection.Value, Query(callback, "code")!, Query(callback, "state")!, integration.ClientSecret]);

        // The session lived in the real table store on Azurite, and is spent.
        Assert.IsType<TableConsentSessionStore>(env.Services.GetRequiredService<IConsentSessionStore>());
        Assert.Equal(1, await env.ConsentSessionCountAsync());
        Assert.Null(await env.Services.GetRequiredService<IConsentSessionStore>().TryConsumeAsync(Query(callback, "state")!));

        // The binding cookie was set for the callback only, and the callback dropped it.
        var setCookie = Assert.Single(start.SetCookies);
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/api/oauth", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(page.SetCookies, c => c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(browser.Cookies.GetCookies(new Uri(env.CallbackUrl)));
    }

    [Fact]
    public async Task Deny_changes_nothing_and_says_how_to_try_again()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        var before = await env.ImportOAuth2Async(name, env.SeedAccount());
        env.Simulator.Modes.Consent = ConsentMode.AutoDeny;
        var browser = new Browser(env);

        var callback = await browser.NetSuiteRedirectAsync(await browser.OpenConsentLinkAsync(name));
        var page = await browser.GetPageAsync(callback);

        Assert.Equal("access_denied", Query(callback, "error"));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("Denied", page.Outcome);
        Assert.Contains("choose Allow", page.Document.QuerySelector("#next")!.TextContent, StringComparison.Ordinal);
        await AssertNothingStoredAsync(env, name, before);
    }

    [Fact]
    public async Task A_consent_finished_after_the_session_expired_is_refused_and_changes_nothing()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        var before = await env.ImportOAuth2Async(name, env.SeedAccount());
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var browser = new Browser(env);
        var callback = await browser.NetSuiteRedirectAsync(await browser.OpenConsentLinkAsync(name));

        env.Time.Advance(ConsentService.SessionLifetime + TimeSpan.FromSeconds(1));
        var page = await browser.GetPageAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("Expired", page.Outcome);
        Assert.Contains("Open the consent link again", page.Document.QuerySelector("#next")!.TextContent, StringComparison.Ordinal);
        await AssertNothingStoredAsync(env, name, before);
    }

    [Fact]
    public async Task A_replayed_callback_is_refused_and_keeps_the_tokens_of_the_first()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, env.SeedAccount());
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var browser = new Browser(env);
        var callback = await browser.NetSuiteRedirectAsync(await browser.OpenConsentLinkAsync(name));
        var first = await browser.GetPageAsync(callback);
        var afterFirst = (await env.GetAsync(name))!;

        browser.Cookies.Add(new Uri(env.CallbackUrl), first.Request.Cookie!);
        var replay = await browser.GetPageAsync(callback);

        Assert.Equal("Connected", first.Outcome);
        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("UnknownOrUsed", replay.Outcome);
        var afterReplay = (await env.GetAsync(name))!;
        Assert.Equal(afterFirst.Generation, afterReplay.Generation);
        Assert.Equal(afterFirst.OAuth2!.RefreshToken, afterReplay.OAuth2!.RefreshToken);
    }

    [Fact]
    public async Task A_forged_state_is_refused_and_changes_nothing()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        var before = await env.ImportOAuth2Async(name, env.SeedAccount());
        var browser = new Browser(env);
        var forged = NetSuite.Auth.OAuth2.NetSuiteAuthorizeUrl.CreateState();
        browser.Cookies.Add(new Uri(env.CallbackUrl), new Cookie(ConsentService.CookieName(forged), "attacker-chosen", "/api/oauth") { Secure = true });

        var page = await browser.GetPageAsync(new Uri(
            $"{env.CallbackUrl}?state={forged}&role=1000&entity=5&company={FunctionsTestEnvironment.Account}&code=0123456789abcdef0123456789abcdef"));

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("UnknownOrUsed", page.Outcome);
        await AssertNothingStoredAsync(env, name, before);
    }

    [Theory]
    [InlineData("7654321")]
    [InlineData("1234567")]
    public async Task A_consent_given_in_another_account_or_the_production_account_is_refused(string company)
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        var before = await env.ImportOAuth2Async(name, env.SeedAccount());
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var browser = new Browser(env);
        var callback = await browser.NetSuiteRedirectAsync(await browser.OpenConsentLinkAsync(name));

        var page = await browser.GetPageAsync(new Uri(callback.AbsoluteUri.Replace(
            $"company={FunctionsTestEnvironment.Account}", $"company={company}", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Equal("Refused", page.Outcome);
        var message = page.Document.QuerySelector("#message")!.TextContent;
        Assert.Contains($"came from NetSuite account {company},", message, StringComparison.Ordinal);
        Assert.Contains($"expects account {FunctionsTestEnvironment.Account}", message, StringComparison.Ordinal);
        await AssertNothingStoredAsync(env, name, before);
    }

    [Fact]
    public async Task A_consent_given_with_another_role_is_refused()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        var before = await env.ImportOAuth2Async(name, env.SeedAccount(), expectedRole: "1000");
        env.Simulator.State.SetConsentUser(FunctionsTestEnvironment.Account, FunctionsTestEnvironment.UserEmail, FunctionsTestEnvironment.AdministratorRole);
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var browser = new Browser(env);

        var callback = await browser.NetSuiteRedirectAsync(await browser.OpenConsentLinkAsync(name));
        var page = await browser.GetPageAsync(callback);

        Assert.Equal("3", Query(callback, "role"));
        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Equal("Refused", page.Outcome);
        Assert.Contains("expects role 1000", page.Document.QuerySelector("#message")!.TextContent, StringComparison.Ordinal);
        await AssertNothingStoredAsync(env, name, before);
    }

    [Fact]
    public async Task A_role_edited_in_the_callback_address_to_the_pinned_one_is_refused_and_the_grant_revoked_in_NetSuite()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        var integration = env.SeedAccount();
        var before = await env.ImportOAuth2Async(name, integration, expectedRole: "1000");
        env.Simulator.State.SetConsentUser(FunctionsTestEnvironment.Account, FunctionsTestEnvironment.UserEmail, FunctionsTestEnvironment.AdministratorRole);
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var browser = new Browser(env);
        var callback = await browser.NetSuiteRedirectAsync(await browser.OpenConsentLinkAsync(name));
        Assert.Equal("3", Query(callback, "role"));

        // Whoever holds the browser makes the address claim the role the connection expects.
        var page = await browser.GetPageAsync(new Uri(callback.AbsoluteUri.Replace("role=3", "role=1000", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Equal("Refused", page.Outcome);
        var message = page.Document.QuerySelector("#message")!.TextContent;
        Assert.Contains("does not match what NetSuite issued", message, StringComparison.Ordinal);
        Assert.Contains("were revoked", message, StringComparison.Ordinal);
        await AssertNothingStoredAsync(env, name, before);
        var issued = env.Simulator.State.TokensFor(FunctionsTestEnvironment.Account)
            .Where(t => t.Kind == TokenKind.OAuth2Refresh && t.ClientId == integration.ClientId).ToList();
        Assert.NotEmpty(issued);
        Assert.All(issued, t => Assert.Equal(TokenStatus.Revoked, t.Status));
    }

    [Fact]
    public async Task A_second_consent_through_the_link_revokes_the_first_refresh_token_and_keeps_the_new_one()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, env.SeedAccount());
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var browser = new Browser(env);
        Assert.Equal("Connected", (await browser.GetPageAsync(await browser.NetSuiteRedirectAsync(await browser.OpenConsentLinkAsync(name)))).Outcome);
        var first = (await env.GetAsync(name))!.OAuth2!.RefreshToken!;

        env.Time.Advance(TimeSpan.FromMinutes(1));
        var again = await browser.GetPageAsync(await browser.NetSuiteRedirectAsync(await browser.OpenConsentLinkAsync(name)));

        Assert.Equal("Connected", again.Outcome);
        var second = (await env.GetAsync(name))!.OAuth2!.RefreshToken!;
        Assert.NotEqual(first, second);
        var tokens = env.Simulator.State.TokensFor(FunctionsTestEnvironment.Account);
        Assert.Equal(TokenStatus.Revoked, Assert.Single(tokens, t => t.Id == NetSuite.Auth.OAuth2.NetSuiteTokenFacts.Read(first).TokenId).Status);
        Assert.Equal(TokenStatus.Active, Assert.Single(tokens, t => t.Id == NetSuite.Auth.OAuth2.NetSuiteTokenFacts.Read(second).TokenId).Status);
        Assert.DoesNotContain(first, again.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_callback_without_the_binding_cookie_is_refused_and_changes_nothing()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        var before = await env.ImportOAuth2Async(name, env.SeedAccount());
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var callback = await new Browser(env).NetSuiteRedirectAsync(await new Browser(env).OpenConsentLinkAsync(name));

        var page = await new Browser(env).GetPageAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("WrongBrowser", page.Outcome);
        await AssertNothingStoredAsync(env, name, before);
    }

    [Fact]
    public async Task A_callback_with_the_right_state_but_no_or_a_wrong_cookie_leaves_the_consent_usable_for_the_real_browser()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, env.SeedAccount());
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var person = new Browser(env);
        var callback = await person.NetSuiteRedirectAsync(await person.OpenConsentLinkAsync(name));

        // Someone who learned the state (not the cookie) tries to burn the person's consent first.
        var noCookie = await new Browser(env).GetPageAsync(callback);
        var forger = new Browser(env);
        forger.Cookies.Add(new Uri(env.CallbackUrl), new Cookie(ConsentService.CookieName(Query(callback, "state")!), "attacker-chosen", "/api/oauth") { Secure = true });
        var wrongCookie = await forger.GetPageAsync(callback);
        var page = await person.GetPageAsync(callback);

        Assert.Equal("WrongBrowser", noCookie.Outcome);
        Assert.Equal("WrongBrowser", wrongCookie.Outcome);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("Connected", page.Outcome);
        Assert.Equal(ConnectionStatus.Healthy, (await env.GetAsync(name))!.Status);
    }

    [Fact]
    public async Task Opening_the_same_link_fifty_times_keeps_one_pending_session_and_the_last_opener_completes()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, env.SeedAccount());
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;
        var link = (await env.Services.GetRequiredService<ConsentLinkFactory>().CreateAsync(ConnectionName.Parse(name)))!;
        var first = new Browser(env);
        var firstCallback = await first.NetSuiteRedirectAsync(await first.OpenAsync(link));
        Browser last = first;
        for (var i = 1; i < 50; i++)
        {
            last = new Browser(env);
            await last.OpenAsync(link);
        }

        var lastCallback = await last.NetSuiteRedirectAsync(await last.OpenAsync(link));

        Assert.Equal(1, await env.ConsentSessionCountAsync());
        Assert.Equal("UnknownOrUsed", (await first.GetPageAsync(firstCallback)).Outcome);
        Assert.Equal("Connected", (await last.GetPageAsync(lastCallback)).Outcome);
        Assert.Equal(1, await env.ConsentSessionCountAsync());
    }

    [Fact]
    public async Task A_tampered_link_and_an_expired_link_start_nothing()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, env.SeedAccount());
        var link = (await env.Services.GetRequiredService<ConsentLinkFactory>().CreateAsync(ConnectionName.Parse(name)))!;
        var other = (await env.Services.GetRequiredService<ConsentLinkFactory>().CreateAsync(ConnectionName.Parse("someone-else")))!;
        var browser = new Browser(env);
        var sessions = await env.ConsentSessionCountAsync();

        // The payload of one link with the signature of another.
        var tampered = link[..link.LastIndexOf('.')] + other[other.LastIndexOf('.')..];
        var tamperedPage = await browser.GetPageAsync(new Uri(tampered));
        env.Time.Advance(TimeSpan.FromHours(72) + TimeSpan.FromSeconds(1));
        var expiredPage = await browser.GetPageAsync(new Uri(link));

        Assert.Equal(HttpStatusCode.BadRequest, tamperedPage.Status);
        Assert.Equal("InvalidLink", tamperedPage.Outcome);
        Assert.Equal(HttpStatusCode.Gone, expiredPage.Status);
        Assert.Equal("ExpiredLink", expiredPage.Outcome);
        Assert.Contains($"nstoken consent-link {name}", expiredPage.Document.QuerySelector("#next")!.TextContent, StringComparison.Ordinal);

        // The person holding the link may not be an operator: both pages say who makes a new link, with the command as
        // code, never as Markdown.
        foreach (var page in new[] { tamperedPage, expiredPage })
        {
            Assert.Contains("operator", page.Document.QuerySelector("#next")!.TextContent, StringComparison.Ordinal);
            Assert.StartsWith("nstoken consent-link ", page.Document.QuerySelector("#next code")!.TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain("`", page.Document.Body!.TextContent, StringComparison.Ordinal);
        }

        Assert.Equal(sessions, await env.ConsentSessionCountAsync());
    }

    internal static async Task AssertNothingStoredAsync(FunctionsTestEnvironment env, string name, ConnectionDocument before)
    {
        var after = (await env.GetAsync(name))!;
        Assert.Equal(before.Generation, after.Generation);
        Assert.Null(after.OAuth2!.RefreshToken);
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Null(await env.GetProjectionAsync(name));
        Assert.Equal(1, env.StateVault.State.VersionCount(TokenRotation.Stores.SecretNames.State(ConnectionName.Parse(name))));
    }

    internal static string? Query(Uri uri, string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).TryGetValue(name, out var values) ? values.ToString() : null;

    /// <summary>An HttpClient with a cookie jar, trusting the test host's certificate, following no redirect by itself.</summary>
    internal sealed class Browser(FunctionsTestEnvironment env)
    {
        public CookieContainer Cookies { get; } = new();

        private HttpClient Client => env.Web!.CreateClient(Cookies);

        /// <summary>Opens a fresh consent link for <paramref name="name"/>; expects the redirect to NetSuite.</summary>
        public async Task<Page> OpenConsentLinkAsync(string name)
        {
            var link = (await env.Services.GetRequiredService<ConsentLinkFactory>().CreateAsync(ConnectionName.Parse(name)))!;
            var page = await GetPageAsync(new Uri(link));
            Assert.Equal(HttpStatusCode.Found, page.Status);
            return page;
        }

        /// <summary>Opens a given consent link; expects the redirect to NetSuite.</summary>
        public async Task<Page> OpenAsync(string link)
        {
            var page = await GetPageAsync(new Uri(link));
            Assert.Equal(HttpStatusCode.Found, page.Status);
            return page;
        }

        /// <summary>What NetSuite (the simulator, approving or denying at once) redirects the browser to.</summary>
        public async Task<Uri> NetSuiteRedirectAsync(Page start)
        {
            Assert.StartsWith(env.Simulator.BaseUrl, start.Location!.AbsoluteUri, StringComparison.Ordinal);
            using var netsuite = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            using var response = await netsuite.GetAsync(start.Location);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            var callback = response.Headers.Location!;
            Assert.StartsWith(env.CallbackUrl, callback.AbsoluteUri, StringComparison.Ordinal);
            return callback;
        }

        public async Task<Page> GetPageAsync(Uri uri)
        {
            var cookie = Cookies.GetCookies(uri).FirstOrDefault();
            using var client = Client;
            using var response = await client.GetAsync(uri);
            var html = await response.Content.ReadAsStringAsync();
            var document = new HtmlParser().ParseDocument(html);
            var setCookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToArray() : [];
            return new Page(response.StatusCode, response.Headers.Location, html, document, setCookies, new RequestInfo(cookie));
        }
    }

    internal sealed record RequestInfo(Cookie? Cookie);

    internal sealed record Page(HttpStatusCode Status, Uri? Location, string Html, IHtmlDocument Document, IReadOnlyList<string> SetCookies, RequestInfo Request)
    {
        public string? Outcome => Document.QuerySelector("main")?.GetAttribute("data-outcome");
    }
}
