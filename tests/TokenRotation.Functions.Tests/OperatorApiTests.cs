using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using TokenRotation.Connections;
using TokenRotation.Functions.Http;
using TokenRotation.Stores;

namespace TokenRotation.Functions.Tests;

/// <summary>Rotate-now, pause, resume and rollback through the function classes, against the simulator and the vaults.</summary>
public sealed class OperatorApiTests
{
    [Fact]
    public async Task Rotate_now_refreshes_an_OAuth2_connection_and_answers_without_a_token()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var integration = env.SeedAccount();
        var name = FunctionsTestEnvironment.NewName();
        var before = await env.SaveConsentedOAuth2Async(name, integration);

        var response = await CallAsync(env, "POST", $"/api/connections/{name}/rotate", (f, r) => f.RotateConnection(r, name, CancellationToken.None));

        Assert.Equal(200, response.StatusCode);
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal("Succeeded", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal(name, json.RootElement.GetProperty("connection").GetString());
        var projection = await env.GetProjectionAsync(name);
        Assert.NotNull(projection);
        StatusTests.AssertNoSecret(response.Body, [before.OAuth2!.RefreshToken!, integration.ClientSecret, projection.Value]);
    }

    [Fact]
    public async Task Rotate_with_dryRun_says_what_it_would_do_and_writes_nothing()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var integration = env.SeedAccount();
        var name = FunctionsTestEnvironment.NewName();
        var document = await env.SaveTbaAsync(name, integration);
        var versions = env.StateVault.State.VersionCount(SecretNames.State(ConnectionName.Parse(name)));

        var response = await CallAsync(env, "POST", $"/api/connections/{name}/rotate?dryRun=true&force=true", (f, r) => f.RotateConnection(r, name, CancellationToken.None));

        Assert.Equal(200, response.StatusCode);
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal("DryRun", json.RootElement.GetProperty("kind").GetString());
        Assert.NotEmpty(json.RootElement.GetProperty("actions").EnumerateArray());
        Assert.Equal(versions, env.StateVault.State.VersionCount(SecretNames.State(ConnectionName.Parse(name))));
        Assert.Equal(document.Credentials.Current!.Id, (await env.GetAsync(name))!.Credentials.Current!.Id);
        StatusTests.AssertNoSecret(response.Body, [document.Credentials.Current.Secret!, integration.ConsumerSecret, FunctionsTestEnvironment.UserPassword]);
    }

    [Fact]
    public async Task Pause_stops_rotate_now_until_resume_and_rollback_refuses_what_has_nothing_to_roll_back()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var name = FunctionsTestEnvironment.NewName();
        await env.SaveConsentedOAuth2Async(name, env.SeedAccount());

        var pause = await CallAsync(env, "POST", $"/api/connections/{name}/pause", (f, r) => f.PauseConnection(r, name, CancellationToken.None));
        var paused = (await env.GetAsync(name))!.Paused;
        var rotateWhilePaused = await CallAsync(env, "POST", $"/api/connections/{name}/rotate", (f, r) => f.RotateConnection(r, name, CancellationToken.None));
        var resumeDryRun = await CallAsync(env, "POST", $"/api/connections/{name}/resume?dryRun", (f, r) => f.ResumeConnection(r, name, CancellationToken.None));
        var stillPaused = (await env.GetAsync(name))!.Paused;
        var resume = await CallAsync(env, "POST", $"/api/connections/{name}/resume", (f, r) => f.ResumeConnection(r, name, CancellationToken.None));
        var rollback = await CallAsync(env, "POST", $"/api/connections/{name}/rollback", (f, r) => f.RollbackConnection(r, name, CancellationToken.None));

        Assert.Equal(200, pause.StatusCode);
        Assert.True(paused);
        Assert.Equal(409, rotateWhilePaused.StatusCode);
        Assert.Contains("paused", rotateWhilePaused.Body, StringComparison.Ordinal);
        Assert.Equal(200, resumeDryRun.StatusCode);
        Assert.Contains("DryRun", resumeDryRun.Body, StringComparison.Ordinal);
        Assert.True(stillPaused);
        Assert.Equal(200, resume.StatusCode);
        Assert.False((await env.GetAsync(name))!.Paused);
        Assert.Equal(409, rollback.StatusCode);
        Assert.Contains("nothing to roll back", rollback.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Not_A_Name", "", 400, "Invalid connection name")]
    [InlineData("a-name", "?dryRun=maybe", 400, "Invalid query")]
    [InlineData("a-name", "?dryRun=true&dryRun=false", 400, "Invalid query")]
    [InlineData("no-such-connection", "", 404, "No connection named")]
    public async Task Bad_requests_get_a_problem_or_not_found_and_touch_nothing(string name, string query, int status, string expected)
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();

        var response = await CallAsync(env, "POST", $"/api/connections/{name}/rotate{query}", (f, r) => f.RotateConnection(r, name, CancellationToken.None));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(expected, response.Body, StringComparison.Ordinal);
        Assert.Empty(env.StateVault.State.SecretNames);
    }

    [Fact]
    public async Task Force_is_refused_on_pause()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();

        var response = await CallAsync(env, "POST", "/api/connections/a-name/pause?force=true", (f, r) => f.PauseConnection(r, "a-name", CancellationToken.None));

        Assert.Equal(400, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
    }

    private static async Task<TestResponse> CallAsync(
        FunctionsTestEnvironment env, string method, string path, Func<ConnectionFunctions, HttpRequest, Task<IActionResult>> call)
    {
        var request = env.Host.NewRequest(method, path);
        return await FunctionsTestHost.ExecuteAsync(await call(env.Host.Activate<ConnectionFunctions>(), request), request);
    }
}
