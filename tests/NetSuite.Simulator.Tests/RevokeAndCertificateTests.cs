using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NetSuite.Simulator.Tests;

/// <summary>The OAuth 2.0 revoke endpoint and its answer variants.</summary>
public sealed class RevokeTests
{
    private static Task<HttpResponseMessage> RevokeAsync(Harness h, string token) =>
        h.PostTokenAsync(new Dictionary<string, string> { ["token"] = token }, h.Integration.ClientId, h.Integration.ClientSecret, h.Sim.RevokeUrl(Harness.Account));

    [Theory]
    [InlineData(RevokeResponseMode.Json200, HttpStatusCode.OK, "application/json")]
    [InlineData(RevokeResponseMode.Text200, HttpStatusCode.OK, "text/plain")]
    [InlineData(RevokeResponseMode.NoContent204, HttpStatusCode.NoContent, null)]
    public async Task Revoking_a_refresh_token_kills_it_and_its_access_tokens(RevokeResponseMode mode, HttpStatusCode status, string? mediaType)
    {
        await using var h = await Harness.StartAsync(m => m.OAuth2RevokeResponse = mode);
        var grant = await h.CodeGrantAsync();
        var refresh = grant.GetProperty("refresh_token").GetString()!;
        var access = grant.GetProperty("access_token").GetString()!;

        using var response = await RevokeAsync(h, refresh);
        using var refreshAfter = await h.RefreshAsync(refresh);
        using var accessAfter = await h.GetWithBearer(h.Sim.RecordUrl(Harness.Account), access);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid_grant", await Harness.OAuthError(refreshAfter));
        Assert.Equal(HttpStatusCode.Unauthorized, accessAfter.StatusCode);
    }

    [Fact]
    public async Task Revoking_an_unknown_token_succeeds_and_changes_nothing()
    {
        await using var h = await Harness.StartAsync();
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email);
        using var response = await RevokeAsync(h, "unknown-token");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(h.State.TokensFor(Harness.Account), t => Assert.Equal(TokenStatus.Active, t.Status));
        Assert.Equal(2, h.State.TokensFor(Harness.Account).Count);
        _ = issued;
    }

    [Fact]
    public async Task Revoke_needs_client_authentication()
    {
        await using var h = await Harness.StartAsync();
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email);
        using var response = await h.PostTokenAsync(new Dictionary<string, string> { ["token"] = issued.RefreshToken }, h.Integration.ClientId, "wrong", h.Sim.RevokeUrl(Harness.Account));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(h.State.TokensFor(Harness.Account), t => t.Kind == TokenKind.OAuth2Refresh && t.Status == TokenStatus.Active);
    }
}

/// <summary>The certificates endpoint: list, create (limits, key reuse), revoke; bearer with rest_webservices and the permission.</summary>
public sealed class CertificateEndpointTests
{
    private static (string Pem, ECDsa Key) NewEcCertificate(Harness h, TimeSpan? validity = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=rotation", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(h.Clock.GetUtcNow().AddMinutes(-1), h.Clock.GetUtcNow() + (validity ?? TimeSpan.FromDays(365)));
        return (certificate.ExportCertificatePem(), key);
    }

    private static async Task<HttpResponseMessage> CreateAsync(Harness h, string accessToken, string pem, int? entity = null, int role = 1000)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, h.Sim.CertificatesUrl(Harness.Account, h.Integration.ClientId))
        {
            Content = JsonContent.Create(new { fileContent = pem, role, entity = (entity ?? h.User.EntityId).ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await h.Http.SendAsync(request);
    }

    private static string Access(Harness h, IReadOnlyList<string>? scopes = null) =>
        h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email, 1000, scopes).AccessToken;

    [Fact]
    public async Task Create_list_and_revoke_a_certificate()
    {
        await using var h = await Harness.StartAsync();
        var access = Access(h);
        var (pem, key) = NewEcCertificate(h);
        using (key)
        {
            using var created = await CreateAsync(h, access, pem);
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            var json = await Harness.Json(created);
            var id = json.GetProperty("certificate_id").GetString()!;
            Assert.Equal("EC", json.GetProperty("algorithm").GetString());
            Assert.Equal(1000, json.GetProperty("entity_role_id").GetProperty("rol").GetInt32());

            using var list = await h.GetWithBearer(h.Sim.CertificatesUrl(Harness.Account, h.Integration.ClientId), access);
            var entry = Assert.Single((await Harness.Json(list)).EnumerateArray());
            Assert.Equal(id, entry.GetProperty("certificate_id").GetString());
            Assert.False(entry.GetProperty("revoked").GetBoolean());

            var revokeRequest = new HttpRequestMessage(HttpMethod.Post, $"{h.Sim.CertificatesUrl(Harness.Account, h.Integration.ClientId)}/{id}/revoke");
            revokeRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
            using var revoked = await h.Http.SendAsync(revokeRequest);
            Assert.Equal("Successfully revoked", await revoked.Content.ReadAsStringAsync());
            Assert.True(h.State.Certificates(Harness.Account).Single().Revoked);
        }
    }

    [Fact]
    public async Task At_most_five_active_certificates_per_integration_record()
    {
        await using var h = await Harness.StartAsync();
        var access = Access(h);
        for (var i = 0; i < 5; i++)
        {
            var (pem, key) = NewEcCertificate(h);
            key.Dispose();
            using var ok = await CreateAsync(h, access, pem);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var (sixth, sixthKey) = NewEcCertificate(h);
        sixthKey.Dispose();
        using var refused = await CreateAsync(h, access, sixth);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("CERTIFICATE_LIMIT_EXCEEDED", await Harness.RestErrorCode(refused));

        h.State.RevokeCertificate(Harness.Account, h.State.Certificates(Harness.Account)[0].CertificateId);
        using var afterRevoke = await CreateAsync(h, access, sixth);
        Assert.Equal(HttpStatusCode.OK, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task A_key_is_bound_to_one_record_entity_role_combination()
    {
        await using var h = await Harness.StartAsync();
        var (pem, key) = NewEcCertificate(h);
        key.Dispose();
        using var first = await CreateAsync(h, Access(h), pem, role: 1000);
        using var otherRole = await CreateAsync(h, Access(h), pem, role: 3);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherRole.StatusCode);
        Assert.Equal("CERTIFICATE_ALREADY_USED", await Harness.RestErrorCode(otherRole));
    }

    [Fact]
    public async Task RSA_2048_keys_are_refused()
    {
        await using var h = await Harness.StartAsync();
        using var rsa = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=weak", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
            .CreateSelfSigned(h.Clock.GetUtcNow().AddMinutes(-1), h.Clock.GetUtcNow().AddDays(30));
        using var response = await CreateAsync(h, Access(h), certificate.ExportCertificatePem());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_KEY", await Harness.RestErrorCode(response));
    }

    [Fact]
    public async Task Validity_longer_than_two_years_is_silently_shortened()
    {
        await using var h = await Harness.StartAsync();
        var (pem, key) = NewEcCertificate(h, TimeSpan.FromDays(365 * 5));
        key.Dispose();
        using var response = await CreateAsync(h, Access(h), pem);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(h.Clock.GetUtcNow().AddYears(2), h.State.Certificates(Harness.Account).Single().ValidUntil);
    }

    [Fact]
    public async Task Certificates_endpoint_needs_the_rest_webservices_scope()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.GetWithBearer(h.Sim.CertificatesUrl(Harness.Account, h.Integration.ClientId), Access(h, ["restlets"]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("ScopeMismatched", h.LastAudit(SimEndpoint.CertificatesList).Detail);
    }

    [Fact]
    public async Task Certificates_endpoint_needs_the_certificate_permission()
    {
        await using var h = await Harness.StartAsync();
        h.State.GetRole(Harness.Account, 1000).Permissions = RolePermissions.LogInUsingOAuth2AccessTokens;
        using var response = await h.GetWithBearer(h.Sim.CertificatesUrl(Harness.Account, h.Integration.ClientId), Access(h));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("INSUFFICIENT_PERMISSION", await Harness.RestErrorCode(response));
    }

    [Fact]
    public async Task Certificates_of_another_entity_cannot_be_created()
    {
        await using var h = await Harness.StartAsync();
        var other = h.State.AddUser(Harness.Account, "other@example.com", "x", null, 1000);
        var (pem, key) = NewEcCertificate(h);
        key.Dispose();
        using var response = await CreateAsync(h, Access(h), pem, entity: other.EntityId);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
