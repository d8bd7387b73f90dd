using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenRotation.Coordination;
using TokenRotation.Functions.Middleware;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// Entra ID sign-in in front of the status page and the operator API, with tokens this test signs with its own key
/// (no network): no token is 401, a reader cannot rotate (403), an operator can; consent, callback and health stay open.
/// </summary>
public sealed class OperatorAuthTests : IAsyncDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "66666666-7777-8888-9999-000000000000";
    private const string Operator = "aaaaaaaa-0000-0000-0000-000000000001";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;
    private readonly FunctionsTestHost _host;

    public OperatorAuthTests()
    {
        _key = new RsaSecurityKey(_rsa) { KeyId = "test-key" };
        _host = new FunctionsTestHost(
            settings: new Dictionary<string, string?> { ["OperatorAuth:TenantId"] = Tenant, ["OperatorAuth:ClientId"] = ClientId },
            overrides: s =>
            {
                s.AddSingleton<IPoisonedWorkLog, InMemoryPoisonedWorkLog>();
                s.Replace(ServiceDescriptor.Singleton<IOperatorSigningKeys>(new StaticKeys(_key)));
            });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _rsa.Dispose();
    }

    [Theory]
    [InlineData("StatusPage", "GET", "/api/status")]
    [InlineData("ListConnections", "GET", "/api/connections")]
    [InlineData("RotateConnection", "POST", "/api/connections/erp/rotate")]
    [InlineData("PauseConnection", "POST", "/api/connections/erp/pause")]
    public async Task A_request_without_a_token_is_401_and_never_reaches_the_function(string function, string method, string path)
    {
        var (status, reached, body, response) = await InvokeAsync(function, method, path, token: null);

        Assert.Equal(401, status);
        Assert.False(reached);
        Assert.StartsWith("Bearer", response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains($"api://{ClientId}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_reads_the_status_but_cannot_rotate_or_pause()
    {
        var reader = Token(roles: [OperatorAuthOptions.ReadRole]);

        Assert.Equal(200, (await InvokeAsync("StatusPage", "GET", "/api/status", reader)).Status);
        Assert.Equal(200, (await InvokeAsync("ListConnections", "GET", "/api/connections", reader)).Status);

        var rotate = await InvokeAsync("RotateConnection", "POST", "/api/connections/erp/rotate", reader);
        Assert.Equal(403, rotate.Status);
        Assert.False(rotate.Reached);
        Assert.Contains(OperatorAuthOptions.OperateRole, rotate.Body, StringComparison.Ordinal);
        Assert.Equal(403, (await InvokeAsync("PauseConnection", "POST", "/api/connections/erp/pause", reader)).Status);
    }

    [Fact]
    public async Task An_operator_rotates_and_reads()
    {
        var operate = Token(roles: [OperatorAuthOptions.OperateRole]);

        foreach (var (function, method, path) in new[]
        {
            ("RotateConnection", "POST", "/api/connections/erp/rotate"), ("PauseConnection", "POST", "/api/connections/erp/pause"),
            ("ResumeConnection", "POST", "/api/connections/erp/resume"), ("RollbackConnection", "POST", "/api/connections/erp/rollback"),
            ("StatusPage", "GET", "/api/status"),
        })
        {
            var result = await InvokeAsync(function, method, path, operate);
            Assert.True(result.Reached, function);
            Assert.Equal(200, result.Status);
        }

        Assert.Contains(_host.Logs.Entries, e => e.Message.Contains(Operator, StringComparison.Ordinal) && e.Message.Contains("RotateConnection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_without_a_role_is_403()
    {
        Assert.Equal(403, (await InvokeAsync("StatusPage", "GET", "/api/status", Token(roles: []))).Status);
    }

    [Fact]
    public async Task Tokens_from_another_key_audience_or_issuer_or_expired_are_401_and_never_logged()
    {
        using var other = RSA.Create(2048);
        var now = _host.Time.GetUtcNow();
        string[] bad =
        [
            Token(roles: [OperatorAuthOptions.OperateRole], key: new RsaSecurityKey(other) { KeyId = "test-key" }),
            Token(roles: [OperatorAuthOptions.OperateRole], audience: "api://someone-else"),
            Token(roles: [OperatorAuthOptions.OperateRole], issuer: "https://login.microsoftonline.com/another-tenant/v2.0"),
            Token(roles: [OperatorAuthOptions.OperateRole], expires: now.AddMinutes(-10)),
            "not-a-jwt",
        ];

        foreach (var token in bad)
        {
            var result = await InvokeAsync("RotateConnection", "POST", "/api/connections/erp/rotate", token);
            Assert.Equal(401, result.Status);
            Assert.False(result.Reached);
            Assert.DoesNotContain(token, _host.Logs.AllText(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("StartConsent", "GET", "/api/consent/abc")]
    [InlineData("OAuthCallback", "GET", "/api/oauth/callback?code=x&state=y")]
    [InlineData("Health", "GET", "/api/health")]
    public async Task Consent_callback_and_health_stay_anonymous(string function, string method, string path)
    {
        var result = await InvokeAsync(function, method, path, token: null);

        Assert.True(result.Reached);
        Assert.Equal(200, result.Status);
    }

    [Fact]
    public async Task Without_the_app_registration_settings_the_operator_api_is_closed_not_open()
    {
        await using var host = new FunctionsTestHost(overrides: s => s.AddSingleton<IPoisonedWorkLog, InMemoryPoisonedWorkLog>());
        var request = host.NewRequest("GET", "/api/status");
        var reached = false;

        await host.Services.GetRequiredService<OperatorAuthMiddleware>().Invoke(
            new TestFunctionContext("StatusPage", FunctionErrorMiddleware.HttpTrigger, host.Services, http: request.HttpContext),
            _ =>
            {
                reached = true;
                return Task.CompletedTask;
            });

        Assert.False(reached);
        Assert.Equal(503, request.HttpContext.Response.StatusCode);
    }

    private async Task<(int Status, bool Reached, string Body, HttpResponse Response)> InvokeAsync(string function, string method, string path, string? token)
    {
        var request = _host.NewRequest(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = "Bearer " + token;
        }

        var reached = false;
        var context = new TestFunctionContext(function, FunctionErrorMiddleware.HttpTrigger, _host.Services, http: request.HttpContext);
        await _host.Services.GetRequiredService<OperatorAuthMiddleware>().Invoke(context, _ =>
        {
            reached = true;
            request.HttpContext.Response.StatusCode = 200;
            return Task.CompletedTask;
        });

        var response = request.HttpContext.Response;
        response.Body.Position = 0;
        var body = await new StreamReader(response.Body).ReadToEndAsync();
        if (!reached && body.Length > 0)
        {
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(response.StatusCode, problem.RootElement.GetProperty("status").GetInt32());
        }

        return (response.StatusCode, reached, body, response);
    }

    private string Token(string[] roles, SecurityKey? key = null, string? audience = null, string? issuer = null, DateTimeOffset? expires = null)
    {
        var now = _host.Time.GetUtcNow();
        var claims = new Dictionary<string, object> { ["oid"] = Operator, ["tid"] = Tenant };
        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? $"https://login.microsoftonline.com/{Tenant}/v2.0",
            Audience = audience ?? $"api://{ClientId}",
            IssuedAt = now.AddMinutes(-20).UtcDateTime,
            NotBefore = now.AddMinutes(-20).UtcDateTime,
            Expires = (expires ?? now.AddMinutes(40)).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? _key, SecurityAlgorithms.RsaSha256),
        });
    }

    private sealed class StaticKeys(SecurityKey key) : IOperatorSigningKeys
    {
        public Task<IReadOnlyCollection<SecurityKey>> GetAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyCollection<SecurityKey>>([key]);
    }
}
