using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Functions.Http;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// The consent in a real browser: headless Chromium (Debian's, driven by Playwright; no Playwright browser is
/// downloaded) opens a consent link on the HTTPS test host, lands on the NetSuite simulator's consent page, chooses
/// Allow, and follows NetSuite's redirect to our callback, carrying the Secure, HttpOnly, SameSite=Lax binding cookie.
/// Select these with <c>--filter Category=Browser</c>; scripts/test.sh fails a run in which none of them ran.
/// </summary>
[Trait("Category", "Browser")]
public sealed class BrowserConsentTests
{
    /// <summary>Where Debian installs Chromium; NSTOKEN_CHROMIUM overrides it.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("NSTOKEN_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    [Fact]
    public async Task Browser_consent_with_Allow_through_the_NetSuite_consent_page_stores_the_tokens_and_says_so()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var integration = env.SeedAccount();
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, integration);
        var link = (await env.Services.GetRequiredService<ConsentLinkFactory>().CreateAsync(ConnectionName.Parse(name)))!;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);

        await page.GotoAsync(link);
        Assert.StartsWith(env.Simulator.AppUrl(FunctionsTestEnvironment.Account), page.Url, StringComparison.Ordinal);
        Assert.Contains("Allow", await page.Locator("h1").TextContentAsync() ?? "", StringComparison.Ordinal);
        var binding = Assert.Single(await context.CookiesAsync([env.CallbackUrl]));
        Assert.True(binding.Secure);
        Assert.True(binding.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, binding.SameSite);
        Assert.Equal("/api/oauth", binding.Path);

        await page.ClickAsync("#allow");
        // Wait for the callback's answer to arrive, then for its heading: the "load" event alone has timed out on a
        // loaded CI machine although the page was there.
        await page.WaitForURLAsync(url => url.StartsWith(env.CallbackUrl, StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.Locator("h1").WaitForAsync();

        Assert.Equal("Connected", await page.Locator("h1").TextContentAsync());
        await AssertPageStateAsync(page, "callback-connected", success: true, retry: false);
        Assert.Contains("the tokens are stored in Key Vault", await page.Locator("#message").TextContentAsync() ?? "", StringComparison.Ordinal);
        var stored = (await env.GetAsync(name))!;
        Assert.Equal(ConnectionStatus.Healthy, stored.Status);
        Assert.NotNull(stored.OAuth2!.RefreshToken);
        Assert.NotNull(await env.GetProjectionAsync(name));
        var html = await page.ContentAsync();
        Assert.DoesNotContain(stored.OAuth2.RefreshToken, html, StringComparison.Ordinal);
        Assert.Empty(await context.CookiesAsync([env.CallbackUrl]));
    }

    [Fact]
    public async Task Browser_without_the_binding_cookie_gets_a_refusal_and_nothing_is_stored()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        var before = await env.ImportOAuth2Async(name, env.SeedAccount());
        env.Simulator.Modes.Consent = ConsentMode.AutoApprove;

        // The consent is started elsewhere (an HttpClient keeps the cookie); the browser only gets the callback URL.
        var elsewhere = new ConsentFlowTests.Browser(env);
        var callback = await elsewhere.NetSuiteRedirectAsync(await elsewhere.OpenConsentLinkAsync(name));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);

        var response = await page.GotoAsync(callback.AbsoluteUri);

        Assert.Equal((int)HttpStatusCode.BadRequest, response!.Status);
        Assert.Equal("Consent finished in another browser", await page.Locator("h1").TextContentAsync());
        Assert.Contains("same browser", await page.Locator("#next").TextContentAsync() ?? "", StringComparison.Ordinal);

        // Without the binding the page offers no fresh link: it says who makes one.
        await AssertPageStateAsync(page, "callback-wrong-browser", success: false, retry: false);
        Assert.Contains($"nstoken consent-link {name}", await page.Locator("#who").TextContentAsync() ?? "", StringComparison.Ordinal);
        await ConsentFlowTests.AssertNothingStoredAsync(env, name, before);
    }

    [Fact]
    public async Task Each_consent_start_problem_says_so_at_a_glance_and_who_makes_a_new_link()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var integration = env.SeedAccount();
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, integration);
        var tba = FunctionsTestEnvironment.NewName("tba");
        await env.SaveTbaAsync(tba, integration);
        var factory = env.Services.GetRequiredService<ConsentLinkFactory>();
        var link = (await factory.CreateAsync(ConnectionName.Parse(name)))!;
        var tbaLink = (await factory.CreateAsync(ConnectionName.Parse(tba)))!;
        var goneLink = (await factory.CreateAsync(ConnectionName.Parse("deleted-" + name)))!;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);

        await page.GotoAsync(link[..^6] + "AAAAAA");
        Assert.Equal("InvalidLink", await page.Locator("main").GetAttributeAsync("data-outcome"));
        await AssertPageStateAsync(page, "start-invalid-link", success: false, retry: false);
        Assert.Contains("operator", await page.Locator("#next").TextContentAsync() ?? "", StringComparison.Ordinal);

        await page.GotoAsync(goneLink);
        Assert.Equal("UnknownConnection", await page.Locator("main").GetAttributeAsync("data-outcome"));
        await AssertPageStateAsync(page, "start-unknown-connection", success: false, retry: false);

        await page.GotoAsync(tbaLink);
        Assert.Equal("NotConsentable", await page.Locator("main").GetAttributeAsync("data-outcome"));
        Assert.Contains(ConnectionKindNames.Tba, await page.Locator("#message").TextContentAsync() ?? "", StringComparison.Ordinal);
        await AssertPageStateAsync(page, "start-not-consentable", success: false, retry: false);

        env.Time.Advance(TimeSpan.FromHours(72) + TimeSpan.FromMinutes(1));
        await page.GotoAsync(link);
        Assert.Equal("ExpiredLink", await page.Locator("main").GetAttributeAsync("data-outcome"));
        await AssertPageStateAsync(page, "start-expired-link", success: false, retry: false);
        Assert.Contains("operator", await page.Locator("#next").TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Equal($"nstoken consent-link {name}", await page.Locator("#next code").TextContentAsync());
    }

    [Fact]
    public async Task Each_failed_callback_says_so_at_a_glance_and_offers_a_fresh_consent_where_the_browser_proved_the_binding()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var integration = env.SeedAccount();
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, integration);
        var factory = env.Services.GetRequiredService<ConsentLinkFactory>();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);

        // NetSuite's redirect to our callback is changed on its way, as a changed address or a consent in another
        // account would: the Allow form's answer (a 302 to the callback) is fetched and its Location rewritten.
        // Playwright does not route the requests of a redirect, so the form post is the place to do it.
        Func<string, string> rewrite = url => url;
        Action beforeCallback = () => { };
        await context.RouteAsync(url => !url.StartsWith(env.PublicBaseUrl, StringComparison.Ordinal), async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }

            var answer = await route.FetchAsync(new RouteFetchOptions { MaxRedirects = 0 });
            beforeCallback();
            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = answer.Status,
                Headers = new Dictionary<string, string> { ["Location"] = rewrite(answer.Headers["location"]) },
            });
        });

        async Task CallbackAsync(string file, string outcome, bool allow)
        {
            await page.GotoAsync((await factory.CreateAsync(ConnectionName.Parse(name)))!);
            if (allow)
            {
                await page.ClickAsync("#allow");
            }

            await page.WaitForURLAsync(url => url.StartsWith(env.CallbackUrl, StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
            await page.Locator("h1").WaitForAsync();
            Assert.Equal(outcome, await page.Locator("main").GetAttributeAsync("data-outcome"));
            await AssertPageStateAsync(page, file, success: false, retry: true);
            var retry = (await page.Locator("#retry").GetAttributeAsync("href"))!;
            Assert.StartsWith(env.PublicBaseUrl + ConsentLinkFactory.PathPrefix, retry, StringComparison.Ordinal);
            Assert.Equal(name, (await factory.ValidateAsync(retry[(env.PublicBaseUrl + ConsentLinkFactory.PathPrefix).Length..])).Connection!.Value);
        }

        env.Simulator.Modes.Consent = ConsentMode.AutoDeny;
        await CallbackAsync("callback-denied", "Denied", allow: false);

        env.Simulator.Modes.Consent = ConsentMode.Interactive;
        rewrite = url => url.Replace($"company={FunctionsTestEnvironment.Account}", "company=7654321", StringComparison.Ordinal);
        await CallbackAsync("callback-wrong-account", "Refused", allow: true);
        var message = await page.Locator("#message").TextContentAsync() ?? "";
        Assert.Contains("came from NetSuite account 7654321,", message, StringComparison.Ordinal);
        Assert.Contains($"expects account {FunctionsTestEnvironment.Account}", message, StringComparison.Ordinal);

        rewrite = url => url.Split('?')[0] + "?" + string.Join('&', new Uri(url).Query.TrimStart('?').Split('&')
            .Where(p => !p.StartsWith("code=", StringComparison.Ordinal)).Append("error=unauthorized_client"));
        await CallbackAsync("callback-netsuite-error", "NetSuiteError", allow: true);

        rewrite = url => url;
        beforeCallback = () => env.Time.Advance(ConsentService.SessionLifetime + TimeSpan.FromMinutes(1));
        await CallbackAsync("callback-expired", "Expired", allow: true);
        Assert.Null((await env.GetAsync(name))!.OAuth2!.RefreshToken);

        // The same callback again: used up, and nothing here proves the binding, so no fresh link.
        await page.ReloadAsync();
        Assert.Equal("UnknownOrUsed", await page.Locator("main").GetAttributeAsync("data-outcome"));
        await AssertPageStateAsync(page, "callback-used", success: false, retry: false);
    }

    /// <summary>
    /// Success and failure at a glance: the banner's label and icon say it in words and shape, not only its colour; no
    /// Markdown; "Try again" exactly when expected. Saves a screenshot of the page.
    /// </summary>
    internal static async Task AssertPageStateAsync(IPage page, string file, bool success, bool retry)
    {
        await Screenshots.SaveAsync(page, file);
        Assert.Equal(success ? "success" : "failure", await page.Locator("main").GetAttributeAsync("data-result"));
        Assert.Equal(success ? "Done" : "Not done", await page.Locator(".banner .label").TextContentAsync());
        Assert.Equal(success ? "\u2714" : "\u2718", await page.Locator(".banner .icon").TextContentAsync());
        var colours = await page.Locator(".banner").EvaluateAsync<string>("b => getComputedStyle(b).borderTopColor");
        Assert.Equal(success ? "rgb(30, 123, 52)" : "rgb(179, 38, 30)", colours);
        Assert.DoesNotContain("`", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(retry ? 1 : 0, await page.Locator("#retry").CountAsync());
    }

    internal static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ChromiumPath}. Install Debian's package (`apt-get update && apt-get install -y chromium`, " +
                "which scripts/test.sh does when run as root), or set NSTOKEN_CHROMIUM to a Chromium binary. Playwright's own browsers are not used.");
        }

        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
    }
}
