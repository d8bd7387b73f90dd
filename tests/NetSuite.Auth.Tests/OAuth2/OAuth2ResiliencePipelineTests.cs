using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Auth.Certificates;
using NetSuite.Auth.OAuth2;
using NetSuite.Auth.OAuth2.Jwt;
using NetSuite.Auth.Tests.Support;

namespace NetSuite.Auth.Tests.OAuth2;

/// <summary>
/// The OAuth 2.0 and certificates clients through the real <c>AddNetSuiteAuth</c> composition: each call's safety
/// marking decides what the resilience pipeline retries (architecture section 6).
/// </summary>
public class OAuth2ResiliencePipelineTests
{
    private const string Verifier = "abFOm_isZAwm7PpI9BtJRMEuiMqhU6sUqZlVWSsAAf1QutgIOD~on78mu-JdpbKc_RA7IEcf2e~q0XrKlJ1tE.8Un64PXLKQG16G4lwW-a5de_0aeU2mHnyVPg.Or8cE";
    private const string Concurrency =
        """{"title":"Bad Request","status":429,"o:errorCode":"USER_ERROR","o:errorDetails":[{"detail":"Concurrent request limit exceeded. Request blocked.","o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]}""";
    private const string Pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

    private static readonly NetSuiteAccountId Account = NetSuiteAccountId.Parse("1234567");
    private static readonly OAuth2ClientAuthentication Confidential = OAuth2ClientAuthentication.Confidential("client", "secret");
    private static readonly OAuth2ClientAuthentication Public = OAuth2ClientAuthentication.Public("client");
    private static readonly string Tokens = $$"""{"access_token":"{{TestJwt.Access()}}","refresh_token":"{{TestJwt.Refresh()}}","expires_in":3600,"token_type":"bearer"}""";

    private static (ServiceProvider Provider, RecordingHandler Handler) Compose(Action<RecordingHandler> script)
    {
        var handler = new RecordingHandler();
        script(handler);
        return (TestServices.Build(handler), handler);
    }

    [Fact]
    public async Task Confidential_refresh_is_retried_after_a_503()
    {
        var (provider, handler) = Compose(h => h.Respond(HttpStatusCode.ServiceUnavailable, "").Respond(HttpStatusCode.OK, Tokens));
        using var _ = provider;

        var result = await provider.GetRequiredService<NetSuiteTokenClient>().RefreshAsync(Account, Confidential, TestJwt.Refresh());

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal("grant_type=refresh_token&refresh_token=" + TestJwt.Refresh(), r.Body));
    }

    [Fact]
    public async Task Public_refresh_is_not_retried_after_a_503_because_the_refresh_token_may_be_spent()
    {
        var (provider, handler) = Compose(h => h.Respond(HttpStatusCode.ServiceUnavailable, "").Respond(HttpStatusCode.OK, Tokens));
        using var _ = provider;

        var result = await provider.GetRequiredService<NetSuiteTokenClient>().RefreshAsync(Account, Public, TestJwt.Refresh());

        Assert.False(result.IsSuccess);
        Assert.Equal("http_503", result.Error!.Code);
        Assert.True(result.Error.MayHaveBeenProcessed);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Code_exchange_is_not_retried_after_a_500()
    {
        var (provider, handler) = Compose(h => h.Respond(HttpStatusCode.InternalServerError, "").Respond(HttpStatusCode.OK, Tokens));
        using var _ = provider;

        var result = await provider.GetRequiredService<NetSuiteTokenClient>()
            .ExchangeCodeAsync(Account, Confidential, "code", new Uri("https://app.example/cb"), Verifier);

        Assert.False(result.IsSuccess);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Code_exchange_is_retried_when_NetSuite_provably_did_not_process_it()
    {
        var (provider, handler) = Compose(h => h
            .Throw(ScriptedHandler.ConnectionRefused())
            .Respond(HttpStatusCode.TooManyRequests, Concurrency)
            .Respond(HttpStatusCode.OK, Tokens));
        using var _ = provider;

        var result = await provider.GetRequiredService<NetSuiteTokenClient>()
            .ExchangeCodeAsync(Account, Confidential, "code", new Uri("https://app.example/cb"), Verifier);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Client_credentials_and_revoke_are_retried_after_a_503()
    {
        var (provider, handler) = Compose(h => h
            .Respond(HttpStatusCode.ServiceUnavailable, "")
            .Respond(HttpStatusCode.OK, Tokens)
            .Respond(HttpStatusCode.BadGateway, "")
            .Respond(HttpStatusCode.OK, ""));
        using var _ = provider;
        var client = provider.GetRequiredService<NetSuiteTokenClient>();

        var token = await client.ClientCredentialsAsync(Account, "h.p.s");
        var revoke = await client.RevokeAsync(Account, Confidential, TestJwt.Refresh());

        Assert.True(token.IsSuccess, token.ToString());
        Assert.True(revoke.IsSuccess, revoke.ToString());
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public async Task Certificate_list_and_revoke_are_retried_but_upload_is_not()
    {
        var (provider, handler) = Compose(h => h
            .Respond(HttpStatusCode.ServiceUnavailable, "")
            .Respond(HttpStatusCode.OK, "[]")
            .Respond(HttpStatusCode.ServiceUnavailable, "")
            .Respond(HttpStatusCode.OK, "Successfully revoked", "text/plain")
            .Respond(HttpStatusCode.ServiceUnavailable, "")
            .Respond(HttpStatusCode.OK, """{"certificate_id":"late"}"""));
        using var _ = provider;
        var client = provider.GetRequiredService<NetSuiteCertificatesClient>();
        var upload = new NetSuiteCertificateUpload { CertificatePem = Pem, RoleId = 3, EntityId = 12 };

        var list = await client.ListAsync(Account, "client", "access");
        var revoke = await client.RevokeAsync(Account, "client", "cert", "access");
        var create = await client.CreateAsync(Account, "client", "access", upload);

        Assert.True(list.IsSuccess, list.ToString());
        Assert.True(revoke.IsSuccess, revoke.ToString());
        Assert.False(create.IsSuccess);
        Assert.Equal(5, handler.Requests.Count);
    }

    [Fact]
    public async Task Certificate_upload_is_retried_after_a_concurrency_rejection()
    {
        var (provider, handler) = Compose(h => h
            .Respond(HttpStatusCode.TooManyRequests, Concurrency)
            .Respond(HttpStatusCode.OK, """{"certificate_id":"new"}"""));
        using var _ = provider;

        var create = await provider.GetRequiredService<NetSuiteCertificatesClient>()
            .CreateAsync(Account, "client", "access", new NetSuiteCertificateUpload { CertificatePem = Pem, RoleId = 3, EntityId = 12 });

        Assert.Equal("new", create.Value.CertificateId);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Assertion_builder_from_the_container_uses_the_registered_clock_and_endpoints()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using var provider = TestServices.Build(new RecordingHandler(), endpoints: e => e.SuiteTalkUrlTemplate = "http://127.0.0.1:5999/{account}/suitetalk", timeProvider: time);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = new EcdsaJwtSigner(key, "kid");

        var jwt = await provider.GetRequiredService<NetSuiteClientAssertionBuilder>()
            .CreateAsync(Account, new ClientAssertionOptions { ClientId = "client", Scopes = NetSuiteScopes.RestWebServices }, signer);

        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]));
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), payload.RootElement.GetProperty("iat").GetInt64());
        Assert.Equal("http://127.0.0.1:5999/1234567/suitetalk/services/rest/auth/oauth2/v1/token", payload.RootElement.GetProperty("aud").GetString());
    }
}
