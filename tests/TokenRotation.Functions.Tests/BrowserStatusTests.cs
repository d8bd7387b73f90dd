using Microsoft.Playwright;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// The status page in headless Chromium at 1280 px: the timeline is drawn, nothing scrolls sideways, and every kind of
/// need is listed with its action. Saves a screenshot.
/// </summary>
[Trait("Category", "Browser")]
public sealed class BrowserStatusTests
{
    [Fact]
    public async Task Browser_status_page_fits_1280_px_draws_the_timeline_and_lists_every_need_with_its_action()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var seeded = await StatusTests.SeedEveryTaskAsync(env);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserConsentTests.LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);

        var response = await page.GotoAsync(env.PublicBaseUrl + "/api/status");
        await Screenshots.SaveAsync(page, "status-page");

        Assert.Equal(200, response!.Status);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The status page scrolls sideways by {overflow} px at 1280 px.");
        var widest = await page.EvaluateAsync<int>("() => Math.max(...[...document.querySelectorAll('table, svg, section')].map(e => Math.ceil(e.getBoundingClientRect().right)))");
        Assert.True(widest <= 1280, $"An element ends at {widest} px, past the 1280 px window.");

        var timeline = page.Locator("#timeline svg[role=img]");
        Assert.True(await timeline.IsVisibleAsync());
        var box = (await timeline.BoundingBoxAsync())!;
        Assert.True(box.Height > 100 && box.Width > 900, $"The timeline is drawn {box.Width}x{box.Height} px.");
        Assert.True(await page.Locator($"#timeline g.row[data-connection='{seeded.RotatingSoon}'] text", new PageLocatorOptions { HasText = "token rotation" }).IsVisibleAsync());

        foreach (var (kind, connection, action) in new[]
        {
            ("Consent", seeded.Base.NeedsConsent, "Open the consent link"),
            ("CredentialsRefused", seeded.PasswordRefused, "nstoken update"),
            ("IntegrationBlocked", seeded.Blocked, $"nstoken rotate {seeded.Blocked}"),
            ("PossibleOrphan", seeded.Base.Failing, "revoke it"),
            ("PoisonedWork", seeded.Base.HealthyTba, $"nstoken rotate {seeded.Base.HealthyTba}"),
        })
        {
            var item = page.Locator($"#needs-person li[data-task={kind}][data-connection='{connection}']");
            Assert.True(await item.IsVisibleAsync(), $"No visible {kind} entry for {connection}.");
            Assert.Contains(action, await item.Locator(".action").InnerTextAsync(), StringComparison.Ordinal);
        }

        Assert.True(await page.Locator("#needs-person a.consent-link").IsVisibleAsync());

        // The last column (errors and possible orphans) is inside the window, not cut off.
        var lastHeader = (await page.Locator("#connections th").Last.BoundingBoxAsync())!;
        Assert.True(lastHeader.X + lastHeader.Width <= 1280, $"The last column ends at {lastHeader.X + lastHeader.Width} px.");
    }
}
