using System.Net;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Tests;

/// <summary>REST web services GET and a RESTlet: OAuth 1.0a or bearer, failing the way NetSuite fails.</summary>
public sealed class ResourceTests
{
    [Fact]
    public async Task Signed_REST_record_call_succeeds_and_is_audited()
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        using var response = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RecordUrl(Harness.Account, "employee/40"), token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await Harness.Json(response);
        Assert.Equal("40", json.GetProperty("id").GetString());
        Assert.Equal("tba", json.GetProperty("authenticatedAs").GetProperty("auth").GetString());
        var audit = h.LastAudit(SimEndpoint.RestRecord);
        Assert.True(audit.Success);
        Assert.Equal(token.TokenId, audit.TokenRef);
    }

    [Fact]
    public async Task Signed_RESTlet_POST_with_query_parameters_succeeds()
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        var url = h.Sim.RestletUrl(Harness.Account, "6", "1") + "&customParam=some%20value&testParam=a%2Bb";
        using var request = h.Signed(HttpMethod.Post, url, token);
        request.Content = new StringContent("{\"hello\":1}", System.Text.Encoding.UTF8, "application/json");
        using var response = await h.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("6", (await Harness.Json(response)).GetProperty("script").GetString());
    }

    public static TheoryData<string, string, HttpStatusCode, string> TbaDefects => new()
    {
        { "secret", "InvalidSignature", HttpStatusCode.Unauthorized, "INVALID_LOGIN_ATTEMPT" },
        { "timestamp", "InvalidTimestamp", HttpStatusCode.BadRequest, "INVALID_REQUEST" },
        { "realm-lowercase", "InvalidRealm", HttpStatusCode.Unauthorized, "INVALID_LOGIN_ATTEMPT" },
        { "realm-hostlabel", "InvalidRealm", HttpStatusCode.Unauthorized, "INVALID_LOGIN_ATTEMPT" },
        { "hmac-sha1", "UnknownAlgorithm", HttpStatusCode.BadRequest, "INVALID_REQUEST" },
        { "version", "VersionRejected", HttpStatusCode.BadRequest, "INVALID_REQUEST" },
        { "short-nonce", "nonce_rejected", HttpStatusCode.Unauthorized, "INVALID_LOGIN_ATTEMPT" },
        { "unknown-token", "token_rejected", HttpStatusCode.Unauthorized, "INVALID_LOGIN_ATTEMPT" },
    };

    [Theory]
    [MemberData(nameof(TbaDefects))]
    public async Task Bad_TBA_signatures_fail_generically_on_the_wire_with_the_reason_in_the_audit_trail(
        string defect, string detail, HttpStatusCode restletStatus, string restletCode)
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        var url = h.Sim.RestletUrl(Harness.Account);
        var request = defect switch
        {
            "secret" => h.Signed(HttpMethod.Get, url, token, tokenSecret: "not-the-secret"),
            "timestamp" => h.Signed(HttpMethod.Get, url, token, timestamp: h.Now - 301),
            "realm-lowercase" => h.Signed(HttpMethod.Get, url, token, realm: "1234567_sb1"),
            "realm-hostlabel" => h.Signed(HttpMethod.Get, url, token, realm: "1234567-sb1"),
            "hmac-sha1" => h.Signed(HttpMethod.Get, url, token, signatureMethod: "HMAC-SHA1"),
            "version" => h.Signed(HttpMethod.Get, url, token, version: "2.0"),
            "short-nonce" => h.Signed(HttpMethod.Get, url, token, nonce: "abc"),
            _ => h.Signed(HttpMethod.Get, url, token with { TokenId = new string('9', 64) }),
        };
        using (request)
        using (var restlet = await h.Http.SendAsync(request))
        {
            Assert.Equal(restletStatus, restlet.StatusCode);
            Assert.Equal(restletCode, await Harness.RestletErrorCode(restlet));
            Assert.Equal(detail, h.LastAudit(SimEndpoint.Restlet).Detail);
        }

        // The REST web services dialect answers every one of them with 401 INVALID_LOGIN.
        using var rest = await h.Http.SendAsync(defect switch
        {
            "secret" => h.Signed(HttpMethod.Get, h.Sim.RecordUrl(Harness.Account), token, tokenSecret: "not-the-secret"),
            "hmac-sha1" => h.Signed(HttpMethod.Get, h.Sim.RecordUrl(Harness.Account), token, signatureMethod: "HMAC-SHA1"),
            _ => h.Signed(HttpMethod.Get, h.Sim.RecordUrl(Harness.Account), token, timestamp: h.Now + 400),
        });
        Assert.Equal(HttpStatusCode.Unauthorized, rest.StatusCode);
        Assert.Equal("INVALID_LOGIN", await Harness.RestErrorCode(rest));
    }

    [Fact]
    public async Task Reused_nonce_is_rejected()
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        using var first = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token, nonce: "nonce-123456"));
        using var second = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token, nonce: "nonce-123456"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal("NonceUsed", h.LastAudit(SimEndpoint.Restlet).Detail);
    }

    [Fact]
    public async Task Signature_over_another_URL_than_the_one_requested_fails()
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        // Signed for the production host form: the simulator checks the URL as actually requested.
        var signedFor = new Uri("https://1234567-sb1.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=1&deploy=1");
        var header = OAuth1.CreateAuthorizationHeader("GET", signedFor, Harness.Account, token.ConsumerKey, token.ConsumerSecret, token.TokenId, token.TokenSecret, OAuth1.NewNonce(), h.Now);
        using var response = await h.GetWithAuthorization(h.Sim.RestletUrl(Harness.Account), header);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("InvalidSignature", h.LastAudit(SimEndpoint.Restlet).Detail);
    }

    [Fact]
    public async Task Token_of_a_role_that_lost_its_permission_is_refused()
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        h.User.RemoveRole(1000);
        using var response = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("permission_denied", h.LastAudit(SimEndpoint.Restlet).Detail);
    }

    [Fact]
    public async Task Missing_authorization_is_an_invalid_login()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.GetAsync(h.Sim.RecordUrl(Harness.Account));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("INVALID_LOGIN", await Harness.RestErrorCode(response));
    }

    [Fact]
    public async Task Bearer_token_works_until_it_expires_after_an_hour()
    {
        await using var h = await Harness.StartAsync();
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email);
        using var ok = await h.GetWithBearer(h.Sim.RecordUrl(Harness.Account), issued.AccessToken);
        using var restlet = await h.GetWithBearer(h.Sim.RestletUrl(Harness.Account), issued.AccessToken);
        h.Clock.Advance(TimeSpan.FromHours(1));
        using var expired = await h.GetWithBearer(h.Sim.RecordUrl(Harness.Account), issued.AccessToken);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.OK, restlet.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("error=\"invalid_token\"", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("realm=\"1234567_SB1\"", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("AccessTokenExpired", h.LastAudit(SimEndpoint.RestRecord).Detail);
    }

    [Fact]
    public async Task Refresh_token_used_as_bearer_is_rejected()
    {
        await using var h = await Harness.StartAsync();
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email);
        using var response = await h.GetWithBearer(h.Sim.RecordUrl(Harness.Account), issued.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("TokenRejected", h.LastAudit(SimEndpoint.RestRecord).Detail);
    }

    [Fact]
    public async Task Bearer_without_the_scope_of_the_endpoint_is_rejected()
    {
        await using var h = await Harness.StartAsync();
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email, scopes: ["restlets"]);
        using var response = await h.GetWithBearer(h.Sim.RecordUrl(Harness.Account), issued.AccessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("ScopeMismatched", h.LastAudit(SimEndpoint.RestRecord).Detail);
    }

    [Fact]
    public async Task Bearer_token_of_another_account_is_rejected()
    {
        await using var h = await Harness.StartAsync();
        h.State.AddAccount("7654321");
        h.State.AddUser("7654321", Harness.Email, Harness.Password);
        var other = h.State.AddIntegration("7654321");
        var issued = h.State.IssueOAuth2Tokens("7654321", other.ClientId, Harness.Email);
        using var response = await h.GetWithBearer(h.Sim.RecordUrl(Harness.Account), issued.AccessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("TokenRejected", h.LastAudit(SimEndpoint.RestRecord).Detail);
    }

    [Fact]
    public async Task Malformed_bearer_token_is_invalid_request()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.GetWithBearer(h.Sim.RecordUrl(Harness.Account), "not-a-jwt");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WaitingForApprovalMode.InvalidLogin, HttpStatusCode.Unauthorized)]
    [InlineData(WaitingForApprovalMode.DescriptiveInvalidLogin, HttpStatusCode.Unauthorized)]
    [InlineData(WaitingForApprovalMode.Forbidden, HttpStatusCode.Forbidden)]
    public async Task Bearer_of_an_integration_waiting_for_approval_fails_per_mode(WaitingForApprovalMode mode, HttpStatusCode status)
    {
        await using var h = await Harness.StartAsync(m => m.WaitingForApproval = mode);
        var issued = h.State.IssueOAuth2Tokens(Harness.Account, h.Integration.ClientId, Harness.Email);
        h.Integration.State = IntegrationState.WaitingForApproval;
        using var response = await h.GetWithBearer(h.Sim.RecordUrl(Harness.Account), issued.AccessToken);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("WaitingForApproval", h.LastAudit(SimEndpoint.RestRecord).Detail);
    }

    [Fact]
    public async Task RESTlet_without_script_and_deploy_is_refused()
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        using var response = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletsUrl(Harness.Account) + "/app/site/hosting/restlet.nl", token));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("SSS_MISSING_REQD_ARGUMENT", await Harness.RestletErrorCode(response));
    }
}
