using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Functions.Http;

namespace TokenRotation.Functions.Tests;

/// <summary>One environment for the injection cases; each case imports its own connection.</summary>
public sealed class ConsentInjectionFixture : IAsyncLifetime
{
    public FunctionsTestEnvironment Env { get; private set; } = null!;

    public NetSuite.Simulator.SimIntegration Integration { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Env = await FunctionsTestEnvironment.StartAsync();
        Integration = Env.SeedAccount();
    }

    public async Task DisposeAsync() => await Env.DisposeAsync();
}

/// <summary>
/// Hostile values in every parameter of the consent start and the callback, sent straight to the function classes
/// with real <c>HttpRequest</c> objects: each is answered with an encoded page and changes nothing.
/// </summary>
public sealed class ConsentInjectionTests(ConsentInjectionFixture fixture) : IClassFixture<ConsentInjectionFixture>
{
    /// <summary>Payloads as they appear in the URL (already percent-encoded where needed).</summary>
    public static readonly TheoryData<string, string> Payloads = new()
    {
        { "script", Uri.EscapeDataString("<script>alert('nstoken')</script>") },
        { "quotes", Uri.EscapeDataString("\"'><img src=x onerror=alert(1)>") },
        { "long", Uri.EscapeDataString(new string('9', 20_000) + "<i>x</i>") },
        { "broken-utf8", "%C3%28%FF%FE%ED%A0%80" },
    };

    public static TheoryData<string, string, string> CallbackCases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (var parameter in new[] { "state", "code", "error", "company", "role", "entity" })
        {
            foreach (var payload in Payloads)
            {
                cases.Add(parameter, (string)payload[0], (string)payload[1]);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(CallbackCases))]
    public async Task A_hostile_callback_parameter_gets_an_encoded_page_and_changes_nothing(string parameter, string kind, string payload)
    {
        var env = fixture.Env;
        var name = FunctionsTestEnvironment.NewName(kind);
        var before = await env.ImportOAuth2Async(name, fixture.Integration);
        var session = await StartAsync(name);
        var values = new Dictionary<string, string>
        {
            ["state"] = session.State,
            ["code"] = "0123456789abcdef0123456789abcdef",
            ["company"] = FunctionsTestEnvironment.Account,
            ["role"] = "1000",
            ["entity"] = "5",
        };
        values[parameter] = payload;
        var query = string.Join('&', values.Select(v => v.Key + "=" + (v.Key == parameter ? v.Value : Uri.EscapeDataString(v.Value))));
        var request = env.Host.NewRequest("GET", "/api/oauth/callback?" + query);
        request.Headers.Cookie = $"{session.CookieName}={session.CookieValue}";

        var result = await env.Host.Activate<ConsentFunctions>().OAuthCallback(request, CancellationToken.None);
        var response = await FunctionsTestHost.ExecuteAsync(result, request);

        Assert.Equal(parameter == "error" ? 502 : 400, response.StatusCode);
        Assert.StartsWith("text/html", response.ContentType, StringComparison.Ordinal);
        AssertHarmless(response.Body, payload);
        if (parameter == "error")
        {
            Assert.Contains("(unrecognised)", response.Body, StringComparison.Ordinal);
        }

        await ConsentFlowTests.AssertNothingStoredAsync(env, name, before);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task A_hostile_consent_link_gets_an_encoded_page_and_starts_nothing(string kind, string payload)
    {
        var env = fixture.Env;
        var sessions = await env.ConsentSessionCountAsync();
        var request = env.Host.NewRequest("GET", "/api/consent/" + payload);
        var token = Uri.UnescapeDataString(payload);

        var result = await env.Host.Activate<ConsentFunctions>().StartConsent(request, token, CancellationToken.None);
        var response = await FunctionsTestHost.ExecuteAsync(result, request);

        Assert.Equal(400, response.StatusCode);
        Assert.Empty(response.SetCookies);
        AssertHarmless(response.Body, payload);
        Assert.Contains("not valid", response.Body, StringComparison.Ordinal);
        Assert.Equal(sessions, await env.ConsentSessionCountAsync());
        Assert.NotEmpty(kind);
    }

    private static void AssertHarmless(string html, string payload)
    {
        var decoded = Uri.UnescapeDataString(payload);
        Assert.DoesNotContain(decoded, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<i>", html, StringComparison.OrdinalIgnoreCase);
        var document = new HtmlParser().ParseDocument(html);
        Assert.Empty(document.QuerySelectorAll("script, img, i, iframe, form"));
        Assert.Null(document.QuerySelector("[onerror]"));
        Assert.True(html.Length < 10_000, "The page must not echo a long value.");
    }

    private async Task<(string State, string CookieName, string CookieValue)> StartAsync(string name)
    {
        var env = fixture.Env;
        var token = await env.Services.GetRequiredService<ConsentLinkFactory>().CreateTokenAsync(ConnectionName.Parse(name));
        var request = env.Host.NewRequest("GET", "/api/consent/" + token);
        var result = await env.Host.Activate<ConsentFunctions>().StartConsent(request, token, CancellationToken.None);
        var response = await FunctionsTestHost.ExecuteAsync(result, request);
        Assert.Equal(302, response.StatusCode);
        var state = ConsentFlowTests.Query(new Uri(response.Headers.Location.ToString()), "state")!;
        var cookie = Assert.Single(response.SetCookies);
        var pair = cookie[..cookie.IndexOf(';', StringComparison.Ordinal)].Split('=', 2);
        Assert.Equal(ConsentService.CookieName(state), pair[0]);
        return (state, pair[0], pair[1]);
    }
}
