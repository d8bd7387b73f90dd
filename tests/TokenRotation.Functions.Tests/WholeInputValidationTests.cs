using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Functions.Http;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// A trailing newline (which .NET's <c>$</c> lets through) or another control character in a connection name, role,
/// entity or company is refused with a 400 that names the field, at the operator API and at the OAuth callback.
/// </summary>
public sealed class WholeInputValidationTests(ConsentInjectionFixture fixture) : IClassFixture<ConsentInjectionFixture>
{
    [Theory]
    [InlineData("erp\n")]
    [InlineData("erp\r\n")]
    [InlineData("erp\t")]
    public async Task The_operator_API_refuses_a_connection_name_with_a_control_character_naming_the_field(string name)
    {
        var env = fixture.Env;
        var stored = await env.Store.GetAsync(ConnectionName.Parse("erp"));
        Assert.Null(stored);
        var requests = env.StateVault.Counters.TotalRequests;

        var rotate = await CallAsync(env, "POST", (f, r) => f.RotateConnection(r, name, CancellationToken.None));
        var pause = await CallAsync(env, "POST", (f, r) => f.PauseConnection(r, name, CancellationToken.None));

        foreach (var response in new[] { rotate, pause })
        {
            Assert.Equal(400, response.StatusCode);
            Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
            Assert.Contains("Invalid connection name", response.Body, StringComparison.Ordinal);
        }

        Assert.Equal(requests, env.StateVault.Counters.TotalRequests);
    }

    [Theory]
    [InlineData("role", "1000\n")]
    [InlineData("role", "3\n")]
    [InlineData("entity", "7\n")]
    [InlineData("entity", "5\r\n")]
    [InlineData("company", FunctionsTestEnvironment.Account + "\n")]
    [InlineData("code", "0123456789abcdef0123456789abcdef\n")]
    public async Task The_callback_refuses_a_value_with_a_trailing_newline_naming_the_field(string parameter, string value)
    {
        var env = fixture.Env;
        var name = FunctionsTestEnvironment.NewName("nl");
        var before = await env.ImportOAuth2Async(name, fixture.Integration);
        var session = await StartAsync(env, name);
        var values = new Dictionary<string, string>
        {
            ["state"] = session.State,
            ["code"] = "0123456789abcdef0123456789abcdef",
            ["company"] = FunctionsTestEnvironment.Account,
            ["role"] = "1000",
            ["entity"] = "5",
        };
        values[parameter] = value;
        var query = string.Join('&', values.Select(v => v.Key + "=" + Uri.EscapeDataString(v.Value)));
        var request = env.Host.NewRequest("GET", "/api/oauth/callback?" + query);
        request.Headers.Cookie = $"{session.CookieName}={session.CookieValue}";

        var result = await env.Host.Activate<ConsentFunctions>().OAuthCallback(request, CancellationToken.None);
        var response = await FunctionsTestHost.ExecuteAsync(result, request);

        Assert.Equal(400, response.StatusCode);
        Assert.Contains($"malformed {parameter}", response.Body, StringComparison.Ordinal);
        await ConsentFlowTests.AssertNothingStoredAsync(env, name, before);
    }

    private static async Task<TestResponse> CallAsync(FunctionsTestEnvironment env, string method, Func<ConnectionFunctions, HttpRequest, Task<IActionResult>> call)
    {
        var request = env.Host.NewRequest(method, "/api/connections/erp%0A/rotate");
        return await FunctionsTestHost.ExecuteAsync(await call(env.Host.Activate<ConnectionFunctions>(), request), request);
    }

    private static async Task<(string State, string CookieName, string CookieValue)> StartAsync(FunctionsTestEnvironment env, string name)
    {
        var token = await env.Services.GetRequiredService<ConsentLinkFactory>().CreateTokenAsync(ConnectionName.Parse(name));
        var request = env.Host.NewRequest("GET", "/api/consent/" + token);
        var response = await FunctionsTestHost.ExecuteAsync(await env.Host.Activate<ConsentFunctions>().StartConsent(request, token, CancellationToken.None), request);
        Assert.Equal(302, response.StatusCode);
        var state = ConsentFlowTests.Query(new Uri(response.Headers.Location.ToString()), "state")!;
        var cookie = Assert.Single(response.SetCookies);
        var pair = cookie[..cookie.IndexOf(';', StringComparison.Ordinal)].Split('=', 2);
        return (state, pair[0], pair[1]);
    }
}
