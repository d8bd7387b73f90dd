using System.Text;
using System.Text.Json;
using TokenRotation.Functions.Http;
using TokenRotation.Functions.Middleware;

namespace TokenRotation.Functions.Tests;

/// <summary>POST /api/connections/{name}/credentials: in-place update of rotation credentials; never echoes a secret.</summary>
public sealed class CredentialApiTests
{
    [Fact]
    public async Task Update_sets_the_new_password_keeps_the_token_and_answers_without_the_secret()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var name = FunctionsTestEnvironment.NewName();
        var before = await env.SaveTbaAsync(name, env.SeedAccount());

        var dry = await CallAsync(env, $"/api/connections/{name}/credentials?dryRun=true", name, """{"password":"Brand-new-Passw0rd"}""");
        Assert.Equal(200, dry.StatusCode);
        Assert.Equal(FunctionsTestEnvironment.UserPassword, (await env.GetAsync(name))!.Tba!.User.Password);

        var response = await CallAsync(env, $"/api/connections/{name}/credentials", name, """{"password":"Brand-new-Passw0rd"}""");

        Assert.Equal(200, response.StatusCode);
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal("Succeeded", json.RootElement.GetProperty("kind").GetString());
        var stored = (await env.GetAsync(name))!;
        Assert.Equal("Brand-new-Passw0rd", stored.Tba!.User.Password);
        Assert.Equal(before.Credentials.Current!.Id, stored.Credentials.Current!.Id);
        StatusTests.AssertNoSecret(response.Body + dry.Body + env.Host.Logs.AllText(), ["Brand-new-Passw0rd"]);
        Assert.Equal(OperatorAccess.Operate, OperatorAuthMiddleware.AccessFor(nameof(CredentialFunctions.UpdateCredentials)));
    }

    [Fact]
    public async Task Update_refuses_unknown_fields_bad_json_and_bad_values_without_quoting_the_body()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var name = FunctionsTestEnvironment.NewName();
        await env.SaveTbaAsync(name, env.SeedAccount());
        var generation = (await env.GetAsync(name))!.Generation;

        var unknown = await CallAsync(env, $"/api/connections/{name}/credentials", name, """{"passwd":"s3cret-value"}""");
        var broken = await CallAsync(env, $"/api/connections/{name}/credentials", name, """{"password":"s3cret-value""");
        var control = await CallAsync(env, $"/api/connections/{name}/credentials", name, """{"password":"s3cret-value\n"}""");
        var foreign = await CallAsync(env, $"/api/connections/{name}/credentials", name, """{"clientSecret":"s3cret-value"}""");

        Assert.Equal(400, unknown.StatusCode);
        Assert.Contains("passwd: unknown field", unknown.Body, StringComparison.Ordinal);
        Assert.Equal(400, broken.StatusCode);
        Assert.Equal(400, control.StatusCode);
        Assert.Contains("password:", control.Body, StringComparison.Ordinal);
        Assert.Equal(400, foreign.StatusCode);
        Assert.Contains("is a TBA connection", foreign.Body, StringComparison.Ordinal);
        StatusTests.AssertNoSecret(unknown.Body + broken.Body + control.Body + foreign.Body, ["s3cret-value"]);
        Assert.Equal(generation, (await env.GetAsync(name))!.Generation);
    }

    private static async Task<TestResponse> CallAsync(FunctionsTestEnvironment env, string path, string name, string body)
    {
        var request = env.Host.NewRequest("POST", path);
        var bytes = Encoding.UTF8.GetBytes(body);
        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
        request.ContentType = "application/json";
        var functions = env.Host.Activate<CredentialFunctions>();
        return await FunctionsTestHost.ExecuteAsync(await functions.UpdateCredentials(request, name, CancellationToken.None), request);
    }
}
