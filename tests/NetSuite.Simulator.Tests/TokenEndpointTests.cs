using System.Net;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Tests;

/// <summary><c>POST {SuiteTalk}/services/rest/auth/oauth2/v1/token</c>: code exchange and refresh, confidential and public.</summary>
public sealed class TokenEndpointTests
{
    private static Dictionary<string, string> CodeForm(string code, string verifier = Harness.Verifier, string redirect = Harness.RedirectUri) => new()
    {
        ["grant_type"] = "authorization_code",
        ["code"] = code,
        ["redirect_uri"] = redirect,
        ["code_verifier"] = verifier,
    };

    [Fact]
    public async Task Code_exchange_returns_access_and_refresh_JWTs_shaped_like_NetSuites()
    {
        await using var h = await Harness.StartAsync();
        var json = await h.CodeGrantAsync();

        Assert.Equal(3600, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("bearer", json.GetProperty("token_type").GetString());
        var access = Harness.Decode(json.GetProperty("access_token").GetString()!);
        var refresh = Harness.Decode(json.GetProperty("refresh_token").GetString()!);
        Assert.Equal("RS256", access.Alg);
        Assert.Equal("s.SYSTEM.2020_1", access.Kid);
        Assert.Equal($"1000;{h.User.EntityId}", access.GetString("sub"));
        Assert.Equal([$"{h.Integration.ApplicationId};1234567_SB1", h.Integration.ClientId], access.GetStrings("aud"));
        Assert.Equal(["rest_webservices", "restlets"], access.GetStrings("scope"));
        Assert.Equal("https://system.netsuite.com", access.GetString("iss"));
        Assert.Equal(3600, access.GetLong("exp") - access.GetLong("iat"));
        Assert.Equal(h.Now, access.GetLong("oit"));
        Assert.Contains(".a.", access.GetString("jti"), StringComparison.Ordinal);
        Assert.Contains(".r.", refresh.GetString("jti"), StringComparison.Ordinal);
        Assert.Equal(7 * 24 * 3600, refresh.GetLong("exp") - refresh.GetLong("iat"));
        Assert.True(Jwt.VerifyRs256(h.Sim.State.SigningKey, access));
    }

    [Fact]
    public async Task Authorization_code_is_single_use()
    {
        await using var h = await Harness.StartAsync();
        var p = await h.ConsentAsync(challenge: Pkce.S256(Harness.Verifier));
        using var first = await h.PostTokenAsync(CodeForm(p["code"]), h.Integration.ClientId, h.Integration.ClientSecret);
        using var second = await h.PostTokenAsync(CodeForm(p["code"]), h.Integration.ClientId, h.Integration.ClientSecret);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal("invalid_grant", await Harness.OAuthError(second));
    }

    [Fact]
    public async Task Code_exchange_with_a_wrong_verifier_is_invalid_grant_and_leaves_the_code_usable()
    {
        await using var h = await Harness.StartAsync();
        var p = await h.ConsentAsync(challenge: Pkce.S256(Harness.Verifier));
        using var wrong = await h.PostTokenAsync(CodeForm(p["code"], verifier: new string('a', 43)), h.Integration.ClientId, h.Integration.ClientSecret);
        using var right = await h.PostTokenAsync(CodeForm(p["code"]), h.Integration.ClientId, h.Integration.ClientSecret);

        Assert.Equal("invalid_grant", await Harness.OAuthError(wrong));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task Code_exchange_with_another_redirect_uri_is_invalid_grant()
    {
        await using var h = await Harness.StartAsync();
        var p = await h.ConsentAsync(challenge: Pkce.S256(Harness.Verifier));
        using var response = await h.PostTokenAsync(CodeForm(p["code"], redirect: "https://app.example.com/other"), h.Integration.ClientId, h.Integration.ClientSecret);

        Assert.Equal("invalid_grant", await Harness.OAuthError(response));
        Assert.Equal("InvalidRedirectURI", h.LastAudit(SimEndpoint.Token).Detail);
    }

    [Fact]
    public async Task Authorization_code_expires()
    {
        await using var h = await Harness.StartAsync(m => m.AuthorizationCodeLifetime = TimeSpan.FromMinutes(2));
        var p = await h.ConsentAsync(challenge: Pkce.S256(Harness.Verifier));
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        using var response = await h.PostTokenAsync(CodeForm(p["code"]), h.Integration.ClientId, h.Integration.ClientSecret);

        Assert.Equal("invalid_grant", await Harness.OAuthError(response));
    }

    [Fact]
    public async Task Wrong_client_secret_is_invalid_client_with_a_Basic_challenge_naming_the_account()
    {
        await using var h = await Harness.StartAsync();
        var p = await h.ConsentAsync(challenge: Pkce.S256(Harness.Verifier));
        using var response = await h.PostTokenAsync(CodeForm(p["code"]), h.Integration.ClientId, "wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await Harness.OAuthError(response));
        Assert.Equal("Basic realm=\"1234567_SB1\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Two_client_authentication_methods_are_invalid_request()
    {
        await using var h = await Harness.StartAsync();
        var form = CodeForm("x");
        form["client_secret"] = h.Integration.ClientSecret;
        using var response = await h.PostTokenAsync(form, h.Integration.ClientId, h.Integration.ClientSecret);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await Harness.OAuthError(response));
    }

    [Theory]
    [InlineData("password", "unsupported_grant_type")]
    [InlineData(null, "invalid_request")]
    public async Task Unknown_or_missing_grant_type_is_refused(string? grantType, string error)
    {
        await using var h = await Harness.StartAsync();
        var form = new Dictionary<string, string>();
        if (grantType is not null)
        {
            form["grant_type"] = grantType;
        }

        using var response = await h.PostTokenAsync(form, h.Integration.ClientId, h.Integration.ClientSecret);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, await Harness.OAuthError(response));
    }

    [Fact]
    public async Task Confidential_refresh_returns_no_refresh_token_and_the_same_one_keeps_working_until_its_exp()
    {
        await using var h = await Harness.StartAsync();
        var grant = await h.CodeGrantAsync();
        var refresh = grant.GetProperty("refresh_token").GetString()!;

        using var first = await h.RefreshAsync(refresh);
        var json = await Harness.Json(first);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(json.TryGetProperty("refresh_token", out _));
        Assert.Equal(3600, json.GetProperty("expires_in").GetInt32());

        h.Clock.Advance(TimeSpan.FromDays(6));
        using var second = await h.RefreshAsync(refresh);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        h.Clock.Advance(TimeSpan.FromDays(1));
        using var third = await h.RefreshAsync(refresh);
        Assert.Equal("invalid_grant", await Harness.OAuthError(third));
        Assert.Equal("RefreshTokenExpired", h.LastAudit(SimEndpoint.Token).Detail);
    }

    [Fact]
    public async Task Public_refresh_rotates_a_single_use_refresh_token()
    {
        await using var h = await Harness.StartAsync();
        var publicClient = h.State.AddIntegration(Harness.Account, new IntegrationSpec { PublicClient = true, RedirectUris = [Harness.RedirectUri], RefreshTokenValidityHours = 48 });
        var grant = await h.CodeGrantAsync(publicClient);
        var first = grant.GetProperty("refresh_token").GetString()!;
        var firstParts = Harness.Decode(first);
        Assert.Equal(48 * 3600, firstParts.GetLong("exp") - firstParts.GetLong("iat"));

        h.Clock.Advance(TimeSpan.FromHours(1));
        using var rotated = await h.RefreshAsync(first, publicClient);
        var json = await Harness.Json(rotated);
        var second = json.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(first, second);
        Assert.Equal(firstParts.GetLong("oit"), Harness.Decode(second).GetLong("oit"));

        using var reuse = await h.RefreshAsync(first, publicClient);
        Assert.Equal("invalid_grant", await Harness.OAuthError(reuse));
        using var next = await h.RefreshAsync(second, publicClient);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Public_refresh_chain_ends_at_the_maximum_rotation_time()
    {
        await using var h = await Harness.StartAsync();
        var publicClient = h.State.AddIntegration(Harness.Account, new IntegrationSpec
        {
            PublicClient = true,
            RedirectUris = [Harness.RedirectUri],
            RefreshTokenValidityHours = 48,
            MaxTokenRotationHours = 72,
        });
        var refresh = (await h.CodeGrantAsync(publicClient)).GetProperty("refresh_token").GetString()!;
        h.Clock.Advance(TimeSpan.FromHours(40));
        using (var r = await h.RefreshAsync(refresh, publicClient))
        {
            var next = await Harness.Json(r);
            refresh = next.GetProperty("refresh_token").GetString()!;
            var parts = Harness.Decode(refresh);
            Assert.Equal(h.Now + 32 * 3600, parts.GetLong("exp"));
        }

        h.Clock.Advance(TimeSpan.FromHours(32));
        using var end = await h.RefreshAsync(refresh, publicClient);
        Assert.Equal("invalid_grant", await Harness.OAuthError(end));
    }

    [Fact]
    public async Task Reusing_a_spent_public_refresh_token_revokes_the_chain_in_that_mode()
    {
        await using var h = await Harness.StartAsync(m => m.PublicRefreshReuseRevokesChain = true);
        var publicClient = h.State.AddIntegration(Harness.Account, new IntegrationSpec { PublicClient = true, RedirectUris = [Harness.RedirectUri] });
        var first = (await h.CodeGrantAsync(publicClient)).GetProperty("refresh_token").GetString()!;
        using var rotated = await h.RefreshAsync(first, publicClient);
        var second = (await Harness.Json(rotated)).GetProperty("refresh_token").GetString()!;

        using var reuse = await h.RefreshAsync(first, publicClient);
        using var afterReuse = await h.RefreshAsync(second, publicClient);

        Assert.Equal("invalid_grant", await Harness.OAuthError(reuse));
        Assert.Equal("invalid_grant", await Harness.OAuthError(afterReuse));
    }

    [Fact]
    public async Task Access_token_sent_as_refresh_token_is_invalid_grant()
    {
        await using var h = await Harness.StartAsync();
        var grant = await h.CodeGrantAsync();
        using var response = await h.RefreshAsync(grant.GetProperty("access_token").GetString()!);

        Assert.Equal("invalid_grant", await Harness.OAuthError(response));
        Assert.Equal("InvalidRefreshToken", h.LastAudit(SimEndpoint.Token).Detail);
    }

    [Fact]
    public async Task Refresh_token_of_another_integration_is_invalid_grant()
    {
        await using var h = await Harness.StartAsync();
        var other = h.State.AddIntegration(Harness.Account, new IntegrationSpec { RedirectUris = [Harness.RedirectUri] });
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, other.ClientId, Harness.Email);
        using var response = await h.RefreshAsync(issued.RefreshToken);

        Assert.Equal("invalid_grant", await Harness.OAuthError(response));
        Assert.Equal("ClientIdMismatch", h.LastAudit(SimEndpoint.Token).Detail);
    }

    [Fact]
    public async Task First_token_grant_auto_installs_and_with_approval_required_later_calls_wait()
    {
        await using var h = await Harness.StartAsync();
        h.State.GetAccount(Harness.Account).RequireApprovalOnAutoInstall = true;
        var partner = h.State.AddIntegration(Harness.Account, new IntegrationSpec { RedirectUris = [Harness.RedirectUri], Installed = false });

        var grant = await h.CodeGrantAsync(partner);
        Assert.Equal(IntegrationState.WaitingForApproval, partner.State);
        Assert.True(partner.Installed);

        using var refresh = await h.RefreshAsync(grant.GetProperty("refresh_token").GetString()!, partner);
        Assert.Equal("invalid_client", await Harness.OAuthError(refresh));
        Assert.Equal("WaitingForApproval", h.LastAudit(SimEndpoint.Token).Detail);
    }

    [Theory]
    [InlineData(WaitingForApprovalMode.InvalidLogin, HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData(WaitingForApprovalMode.DescriptiveInvalidLogin, HttpStatusCode.BadRequest, "unauthorized_client")]
    [InlineData(WaitingForApprovalMode.Forbidden, HttpStatusCode.Forbidden, "access_denied")]
    public async Task Waiting_for_approval_variants_on_the_token_endpoint(WaitingForApprovalMode mode, HttpStatusCode status, string error)
    {
        await using var h = await Harness.StartAsync(m => m.WaitingForApproval = mode);
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email);
        h.Integration.State = IntegrationState.WaitingForApproval;
        using var response = await h.RefreshAsync(issued.RefreshToken);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, await Harness.OAuthError(response));
    }

    [Fact]
    public async Task Keys_endpoint_publishes_the_key_that_verifies_issued_tokens()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.GetAsync(h.Sim.SuiteTalkUrl(Harness.Account) + "/services/rest/auth/oauth2/v1/keys");
        var key = (await Harness.Json(response)).GetProperty("keys")[0];
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportParameters(new System.Security.Cryptography.RSAParameters
        {
            Modulus = Base64UrlDecode(key.GetProperty("n").GetString()!),
            Exponent = Base64UrlDecode(key.GetProperty("e").GetString()!),
        });
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email);

        Assert.Equal("s.SYSTEM.2020_1", key.GetProperty("kid").GetString());
        Assert.True(Jwt.VerifyRs256(rsa, Harness.Decode(issued.AccessToken)));
    }

    private static byte[] Base64UrlDecode(string text)
    {
        Assert.True(Base64Url.TryDecode(text, out var bytes));
        return bytes;
    }
}
