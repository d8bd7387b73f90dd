using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Consent;

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
        await ConsentFlowTests.AssertNothingStoredAsync(env, name, before);
    }

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
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
