using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Tests;

/// <summary>Client credentials: the JWT assertion checked against the mapped certificate (alg, kid, iss, aud, exp window).</summary>
public sealed class ClientCredentialsTests
{
    private static string Assertion(
        AsymmetricAlgorithm key, string alg, string? kid, string iss, string aud, long iat, long exp, object? scope = null)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = iss,
            ["scope"] = scope ?? new[] { "restlets", "rest_webservices" },
            ["aud"] = aud,
            ["jti"] = Guid.NewGuid().ToString(),
            ["exp"] = exp,
            ["iat"] = iat,
        });
        return Jwt.Create(alg, key, kid, payload);
    }

    private static Task<HttpResponseMessage> PostAssertion(Harness h, string assertion) => h.PostTokenAsync(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    });

    [Fact]
    public async Task ES256_assertion_gets_a_one_hour_access_token_for_the_mapped_entity_and_role()
    {
        await using var h = await Harness.StartAsync();
        var certificate = h.State.AddGeneratedCertificate(Harness.Account, h.Integration.ClientId, Harness.Email, 1000, "ES256");
        using var key = certificate.CreatePrivateKey();
        using var response = await PostAssertion(h, Assertion(key, "ES256", certificate.CertificateId, h.Integration.ClientId, h.Sim.TokenUrl(Harness.Account), h.Now, h.Now + 3600));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await Harness.Json(response);
        Assert.False(json.TryGetProperty("refresh_token", out _));
        var access = Harness.Decode(json.GetProperty("access_token").GetString()!);
        Assert.Equal($"1000;{h.User.EntityId}", access.GetString("sub"));
        using var record = await h.GetWithBearer(h.Sim.RecordUrl(Harness.Account), json.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, record.StatusCode);
    }

    [Fact]
    public async Task PS256_assertion_with_the_restlets_host_audience_and_a_comma_separated_scope_is_accepted()
    {
        await using var h = await Harness.StartAsync();
        var certificate = h.State.AddGeneratedCertificate(Harness.Account, h.Integration.ClientId, Harness.Email, 1000, "PS256");
        using var key = certificate.CreatePrivateKey();
        var aud = h.Sim.RestletsUrl(Harness.Account) + "/services/rest/auth/oauth2/v1/token";
        using var response = await PostAssertion(h, Assertion(key, "PS256", certificate.CertificateId, h.Integration.ClientId, aud, h.Now, h.Now + 3000, "restlets,rest_webservices"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["restlets", "rest_webservices"], Harness.Decode((await Harness.Json(response)).GetProperty("access_token").GetString()!).GetStrings("scope"));
    }

    public static TheoryData<string, string> BadAssertions => new()
    {
        { "kid", "MissingKey" },
        { "no-kid", "MissingKeyId" },
        { "iss", "ClientIdMismatch" },
        { "aud", "InvalidAudience" },
        { "too-broad", "TokenValidityTooBroad" },
        { "expired", "TokenExpired" },
        { "signature", "SignatureValidation" },
        { "alg-RS256", "UnsupportedAlgo" },
    };

    [Theory]
    [MemberData(nameof(BadAssertions))]
    public async Task Bad_assertions_are_invalid_grant_with_the_reason_in_the_audit_trail(string defect, string detail)
    {
        await using var h = await Harness.StartAsync();
        var certificate = h.State.AddGeneratedCertificate(Harness.Account, h.Integration.ClientId, Harness.Email, 1000, "ES256");
        using var key = certificate.CreatePrivateKey();
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var tokenUrl = h.Sim.TokenUrl(Harness.Account);
        var now = h.Now;
        var assertion = defect switch
        {
            "kid" => Assertion(key, "ES256", "unknown-kid", h.Integration.ClientId, tokenUrl, now, now + 600),
            "no-kid" => Assertion(key, "ES256", null, h.Integration.ClientId, tokenUrl, now, now + 600),
            "iss" => Assertion(key, "ES256", certificate.CertificateId, new string('f', 64), tokenUrl, now, now + 600),
            "aud" => Assertion(key, "ES256", certificate.CertificateId, h.Integration.ClientId, "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token", now, now + 600),
            "too-broad" => Assertion(key, "ES256", certificate.CertificateId, h.Integration.ClientId, tokenUrl, now, now + 3601),
            "expired" => Assertion(key, "ES256", certificate.CertificateId, h.Integration.ClientId, tokenUrl, now - 700, now - 100),
            "signature" => Assertion(otherKey, "ES256", certificate.CertificateId, h.Integration.ClientId, tokenUrl, now, now + 600),
            _ => Jwt.Create("RS256", RSA.Create(2048), certificate.CertificateId, JsonSerializer.SerializeToUtf8Bytes(new { iss = h.Integration.ClientId })),
        };
        using var response = await PostAssertion(h, assertion);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", await Harness.OAuthError(response));
        Assert.Equal(detail, h.LastAudit(SimEndpoint.Token).Detail);
    }

    [Fact]
    public async Task RS256_assertions_are_accepted_only_in_the_legacy_mode()
    {
        await using var h = await Harness.StartAsync();
        var certificate = h.State.AddGeneratedCertificate(Harness.Account, h.Integration.ClientId, Harness.Email, 1000, "RS256");
        using var key = certificate.CreatePrivateKey();
        var assertion = Assertion(key, "RS256", certificate.CertificateId, h.Integration.ClientId, h.Sim.TokenUrl(Harness.Account), h.Now, h.Now + 600);

        using var refused = await PostAssertion(h, assertion);
        h.Sim.Modes.AcceptRs256ClientAssertions = true;
        using var accepted = await PostAssertion(h, assertion);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Revoked_certificate_no_longer_gets_tokens()
    {
        await using var h = await Harness.StartAsync();
        var certificate = h.State.AddGeneratedCertificate(Harness.Account, h.Integration.ClientId, Harness.Email, 1000);
        using var key = certificate.CreatePrivateKey();
        h.State.RevokeCertificate(Harness.Account, certificate.CertificateId);
        using var response = await PostAssertion(h, Assertion(key, "ES256", certificate.CertificateId, h.Integration.ClientId, h.Sim.TokenUrl(Harness.Account), h.Now, h.Now + 600));

        Assert.Equal("invalid_grant", await Harness.OAuthError(response));
        Assert.Equal("TokenBlocked", h.LastAudit(SimEndpoint.Token).Detail);
    }

    [Fact]
    public async Task Scope_not_enabled_on_the_record_is_invalid_scope()
    {
        await using var h = await Harness.StartAsync();
        var certificate = h.State.AddGeneratedCertificate(Harness.Account, h.Integration.ClientId, Harness.Email, 1000);
        using var key = certificate.CreatePrivateKey();
        using var response = await PostAssertion(h, Assertion(key, "ES256", certificate.CertificateId, h.Integration.ClientId, h.Sim.TokenUrl(Harness.Account), h.Now, h.Now + 600, new[] { "suite_analytics" }));

        Assert.Equal("invalid_scope", await Harness.OAuthError(response));
    }

    [Fact]
    public async Task Blocked_integration_gets_invalid_client()
    {
        await using var h = await Harness.StartAsync();
        var certificate = h.State.AddGeneratedCertificate(Harness.Account, h.Integration.ClientId, Harness.Email, 1000);
        using var key = certificate.CreatePrivateKey();
        h.Integration.State = IntegrationState.Blocked;
        using var response = await PostAssertion(h, Assertion(key, "ES256", certificate.CertificateId, h.Integration.ClientId, h.Sim.TokenUrl(Harness.Account), h.Now, h.Now + 600));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("IntegrationBlocked", h.LastAudit(SimEndpoint.Token).Detail);
    }
}
