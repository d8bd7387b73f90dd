using System.Net;

namespace NetSuite.Simulator.Tests;

/// <summary><c>issuetoken</c>, <c>revoketoken</c> and <c>tokeninfo</c> on the RESTlet domain.</summary>
public sealed class TbaTests
{
    private static Task<HttpResponseMessage> IssueAsync(Harness h, int role, string? otp = null, string password = Harness.Password, string? consumerKey = null, HttpMethod? method = null) =>
        h.GetWithAuthorization(h.IssueTokenUrl(consumerKey), Harness.NlAuth(Harness.Account, Harness.Email, password, role, otp), method);

    [Fact]
    public async Task Issuetoken_returns_a_working_token_id_and_secret()
    {
        await using var h = await Harness.StartAsync();
        using var response = await IssueAsync(h, 1000);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await Harness.Json(response);
        Assert.Equal(["tokenId", "tokenSecret"], json.EnumerateObject().Select(p => p.Name));
        var token = new IssuedTbaToken(Harness.Account, h.Integration.ConsumerKey, h.Integration.ConsumerSecret,
            json.GetProperty("tokenId").GetString()!, json.GetProperty("tokenSecret").GetString()!, h.User.EntityId, 1000, "");
        using var call = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token));
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal("rotation-1", h.State.ActiveTbaTokens(Harness.Account).Single().Name);
    }

    [Fact]
    public async Task Issuetoken_can_answer_with_extra_fields()
    {
        await using var h = await Harness.StartAsync(m => m.IssueTokenExtraFields = true);
        using var response = await IssueAsync(h, 1000);
        var json = await Harness.Json(response);

        Assert.True(json.TryGetProperty("tokenId", out _));
        Assert.Equal("rotation-1", json.GetProperty("tokenName").GetString());
        Assert.Equal(1000, json.GetProperty("roleId").GetInt32());
    }

    [Fact]
    public async Task Issuetoken_accepts_POST_only_in_that_mode()
    {
        await using var h = await Harness.StartAsync();
        using var refused = await IssueAsync(h, 1000, method: HttpMethod.Post);
        h.Sim.Modes.TbaEndpointsAcceptPost = true;
        using var accepted = await IssueAsync(h, 1000, method: HttpMethod.Post);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Two_factor_role_without_a_code_gets_TWO_FA_REQD()
    {
        await using var h = await Harness.StartAsync();
        using var response = await IssueAsync(h, 3);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("TWO_FA_REQD", await Harness.RestletErrorCode(response));
    }

    [Fact]
    public async Task Two_factor_code_is_single_use_per_window()
    {
        await using var h = await Harness.StartAsync();
        var otp = h.Otp();
        using var first = await IssueAsync(h, 3, otp);
        using var reuse = await IssueAsync(h, 3, otp);
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        using var next = await IssueAsync(h, 3, h.Otp());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("INVALID_LOGIN_CREDENTIALS", await Harness.RestletErrorCode(reuse));
        Assert.Equal("OtpAlreadyUsed", h.State.AuditTrailFor(Harness.Account).Single(e => e.Detail == "OtpAlreadyUsed").Detail);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Wrong_code_is_refused()
    {
        await using var h = await Harness.StartAsync();
        var wrong = h.Otp(h.Clock.GetUtcNow().AddMinutes(10));
        using var response = await IssueAsync(h, 3, wrong);

        Assert.Equal("INVALID_LOGIN_CREDENTIALS", await Harness.RestletErrorCode(response));
        Assert.Equal("InvalidOtp", h.LastAudit(SimEndpoint.IssueToken).Detail);
    }

    [Fact]
    public async Task Five_failed_logins_lock_the_user_for_thirty_minutes()
    {
        await using var h = await Harness.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            using var failed = await IssueAsync(h, 1000, password: "wrong");
            Assert.Equal("INVALID_LOGIN_CREDENTIALS", await Harness.RestletErrorCode(failed));
        }

        using var locked = await IssueAsync(h, 1000);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal("temporary_locked", h.LastAudit(SimEndpoint.IssueToken).Detail);
        Assert.NotNull(h.User.LockedUntil);

        h.Clock.Advance(TimeSpan.FromMinutes(30));
        using var unlocked = await IssueAsync(h, 1000);
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
    }

    [Fact]
    public async Task Expired_password_is_refused()
    {
        await using var h = await Harness.StartAsync();
        h.User.PasswordExpiresAt = h.Clock.GetUtcNow();
        using var response = await IssueAsync(h, 1000);

        Assert.Equal("INVALID_LOGIN_CREDENTIALS", await Harness.RestletErrorCode(response));
        Assert.Equal("PasswordExpired", h.LastAudit(SimEndpoint.IssueToken).Detail);
    }

    [Fact]
    public async Task Role_without_the_user_access_tokens_permission_is_refused()
    {
        await using var h = await Harness.StartAsync();
        h.State.GetRole(Harness.Account, 1000).Permissions = RolePermissions.LogInUsingAccessTokens;
        using var response = await IssueAsync(h, 1000);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("permission_denied", h.LastAudit(SimEndpoint.IssueToken).Detail);
    }

    [Fact]
    public async Task Unknown_consumer_key_is_an_invalid_login_attempt()
    {
        await using var h = await Harness.StartAsync();
        using var response = await IssueAsync(h, 1000, consumerKey: new string('a', 64));

        Assert.Equal("INVALID_LOGIN_ATTEMPT", await Harness.RestletErrorCode(response));
        Assert.Equal("consumer_key_unknown", h.LastAudit(SimEndpoint.IssueToken).Detail);
    }

    [Fact]
    public async Task Blocked_integration_is_refused_with_consumer_key_refused()
    {
        await using var h = await Harness.StartAsync();
        h.Integration.State = IntegrationState.Blocked;
        using var response = await IssueAsync(h, 1000);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("consumer_key_refused", h.LastAudit(SimEndpoint.IssueToken).Detail);
    }

    [Fact]
    public async Task Issuetoken_endpoint_must_be_enabled_on_the_record()
    {
        await using var h = await Harness.StartAsync();
        h.Integration.TbaIssueTokenEndpoint = false;
        using var response = await IssueAsync(h, 1000);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("FeatureDisabled", h.LastAudit(SimEndpoint.IssueToken).Detail);
    }

    [Theory]
    [InlineData(WaitingForApprovalMode.InvalidLogin, HttpStatusCode.Unauthorized, "INVALID_LOGIN_ATTEMPT", false)]
    [InlineData(WaitingForApprovalMode.DescriptiveInvalidLogin, HttpStatusCode.Unauthorized, "INVALID_LOGIN_ATTEMPT", true)]
    [InlineData(WaitingForApprovalMode.Forbidden, HttpStatusCode.Forbidden, "INSUFFICIENT_PERMISSION", true)]
    public async Task Auto_install_with_approval_required_issues_the_token_but_it_waits(
        WaitingForApprovalMode mode, HttpStatusCode status, string code, bool mentionsApproval)
    {
        await using var h = await Harness.StartAsync(m => m.WaitingForApproval = mode);
        h.State.GetAccount(Harness.Account).RequireApprovalOnAutoInstall = true;
        var partner = h.State.AddIntegration(Harness.Account, new IntegrationSpec { Installed = false });
        using var issued = await IssueAsync(h, 1000, consumerKey: partner.ConsumerKey);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal(IntegrationState.WaitingForApproval, partner.State);
        var json = await Harness.Json(issued);
        var token = new IssuedTbaToken(Harness.Account, partner.ConsumerKey, partner.ConsumerSecret,
            json.GetProperty("tokenId").GetString()!, json.GetProperty("tokenSecret").GetString()!, h.User.EntityId, 1000, "");

        using var call = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token));
        Assert.Equal(status, call.StatusCode);
        Assert.Equal(code, await Harness.RestletErrorCode(call));
        Assert.Equal(mentionsApproval, (await call.Content.ReadAsStringAsync()).Contains("approval", StringComparison.Ordinal));

        partner.State = IntegrationState.Enabled;
        using var approved = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
    }

    [Theory]
    [InlineData(RevokeResponseMode.Json200, HttpStatusCode.OK, "application/json")]
    [InlineData(RevokeResponseMode.Text200, HttpStatusCode.OK, "text/plain")]
    [InlineData(RevokeResponseMode.NoContent204, HttpStatusCode.NoContent, null)]
    public async Task Revoketoken_with_NLAuth_revokes_and_answers_in_the_chosen_form(RevokeResponseMode mode, HttpStatusCode status, string? mediaType)
    {
        await using var h = await Harness.StartAsync(m => m.TbaRevokeResponse = mode);
        var token = h.IssueTba();
        using var response = await h.GetWithAuthorization(h.RevokeTokenUrl(token.TokenId), Harness.NlAuth(Harness.Account, Harness.Email, Harness.Password, 1000));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(h.State.ActiveTbaTokens(Harness.Account));
        using var call = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletUrl(Harness.Account), token));
        Assert.Equal(HttpStatusCode.Unauthorized, call.StatusCode);
        Assert.Equal("token_rejected", h.LastAudit(SimEndpoint.Restlet).Detail);
    }

    [Fact]
    public async Task Revoketoken_signed_with_the_token_itself_revokes_it()
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        using var response = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.RevokeTokenUrl(token.TokenId), token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TokenStatus.Revoked, h.State.TokensFor(Harness.Account).Single(t => t.Id == token.TokenId).Status);
    }

    [Fact]
    public async Task Revoketoken_refuses_another_users_token()
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        h.State.AddUser(Harness.Account, "other@example.com", "Other-123!", null, 1000);
        using var response = await h.GetWithAuthorization(h.RevokeTokenUrl(token.TokenId), Harness.NlAuth(Harness.Account, "other@example.com", "Other-123!", 1000));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(h.State.ActiveTbaTokens(Harness.Account));
    }

    [Fact]
    public async Task Tokeninfo_names_company_role_and_entity_of_the_token()
    {
        await using var h = await Harness.StartAsync();
        var token = h.IssueTba();
        using var response = await h.Http.SendAsync(h.Signed(HttpMethod.Get, h.Sim.RestletsUrl(Harness.Account) + "/rest/tokeninfo", token));
        var json = await Harness.Json(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1234567_SB1", json.GetProperty("companyId").GetString());
        Assert.Equal(1000, json.GetProperty("roleId").GetInt32());
        Assert.Equal("Integration Role", json.GetProperty("roleName").GetString());
        Assert.Equal(h.User.EntityId, json.GetProperty("entityId").GetInt32());
    }

    [Fact]
    public async Task Tokeninfo_without_a_signature_is_an_invalid_login()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.GetAsync(h.Sim.RestletsUrl(Harness.Account) + "/rest/tokeninfo");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("INVALID_LOGIN_ATTEMPT", await Harness.RestletErrorCode(response));
    }
}
