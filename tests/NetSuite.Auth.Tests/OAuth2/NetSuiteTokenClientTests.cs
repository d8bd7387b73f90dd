using System.Net;
using System.Text;
using NetSuite.Auth.OAuth2;

namespace NetSuite.Auth.Tests.OAuth2;

public class NetSuiteTokenClientTests
{
    // Oracle's sample client id and secret (NetSuite topic 1.3) and the Basic value of its refresh sample.
    private const string ClientId = "6794a3086e4f61a120350d01b8527aed3631472ef33412212495be65a8fc8d4c";
    private const string ClientSecret = "cdc7ac22183ef5024e81b0fce8ef461c44d5896a1f1805d4b372ca61c4d326ae";
    private const string OracleBasic =
        "Njc5NGEzMDg2ZTRmNjFhMTIwMzUwZDAxYjg1MjdhZWQzNjMxNDcyZWYzMzQxMjIxMjQ5NWJlNjVhOGZjOGQ0YzpjZGM3YWMyMjE4M2VmNTAyNGU4MWIwZmNlOGVmNDYxYzQ0ZDU4OTZhMWYxODA1ZDRiMzcyY2E2MWM0ZDMyNmFl";

    private const string TokenUrl = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token";
    private const string RevokeUrl = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/revoke";
    private const string Code = "70b827f926a512f098b1289f0991abe3c767947a43498c2e2f80ed5aef6a5c50";
    private const string Verifier =
        "abFOm_isZAwm7PpI9BtJRMEuiMqhU6sUqZlVWSsAAf1QutgIOD~on78mu-JdpbKc_RA7IEcf2e~q0XrKlJ1tE.8Un64PXLKQG16G4lwW-a5de_0aeU2mHnyVPg.Or8cE";

    private static readonly Uri Redirect = new("https://myapplication.com/netsuite/oauth2callback");
    private static readonly NetSuiteAccountId Account = NetSuiteAccountId.Parse("1234567_SB1");
    private static readonly OAuth2ClientAuthentication Confidential = OAuth2ClientAuthentication.Confidential(ClientId, ClientSecret);
    private static readonly OAuth2ClientAuthentication Public = OAuth2ClientAuthentication.Public(ClientId);

    private static readonly string AccessToken = TestJwt.Access();
    private static readonly string RefreshToken = TestJwt.Refresh();

    private static string FullResponse(string tokenType = "bearer") =>
        $$"""{"access_token":"{{AccessToken}}","refresh_token":"{{RefreshToken}}","expires_in":3600,"token_type":"{{tokenType}}","unknown_field":{"x":[1,2]},"other":true}""";

    private static string AccessOnlyResponse() => $$"""{"access_token":"{{AccessToken}}","expires_in":3600,"token_type":"bearer"}""";

    private static NetSuiteTokenClient Client(RecordingHandler handler) =>
        new(handler.CreateClient(), new NetSuiteEndpoints(new NetSuiteEndpointOptions()));

    [Fact]
    public async Task ExchangeCode_confidential_posts_form_with_basic_auth_and_parses_tokens()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, FullResponse("Bearer"));

        var result = await Client(handler).ExchangeCodeAsync(Account, Confidential, Code, Redirect, Verifier);

        var request = handler.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(TokenUrl, request.Uri.AbsoluteUri);
        Assert.Equal("Basic " + OracleBasic, request.Header("Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType, StringComparison.Ordinal);
        Assert.Equal(
            "grant_type=authorization_code&code=" + Code
            + "&redirect_uri=https%3A%2F%2Fmyapplication.com%2Fnetsuite%2Foauth2callback&code_verifier=" + Verifier,
            request.Body);
        Assert.Equal(NetSuiteCallSafety.SingleUse, request.Safety);
        Assert.Equal(Account, request.Account);

        Assert.True(result.IsSuccess);
        Assert.Equal(AccessToken, result.Value.AccessToken);
        Assert.Equal(RefreshToken, result.Value.RefreshToken);
        Assert.Equal(TimeSpan.FromHours(1), result.Value.ExpiresIn);
        Assert.Equal("Bearer", result.Value.TokenType);
        Assert.Null(result.Value.IdToken);
    }

    [Fact]
    public async Task ExchangeCode_public_client_sends_client_id_in_body_and_no_authorization_header()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, FullResponse());

        var result = await Client(handler).ExchangeCodeAsync(Account, Public, Code, Redirect, Verifier);

        var request = handler.Single;
        Assert.Null(request.Header("Authorization"));
        var form = request.Form();
        Assert.Equal(ClientId, form["client_id"]);
        Assert.Equal("authorization_code", form["grant_type"]);
        Assert.Equal(Verifier, form["code_verifier"]);
        Assert.Equal(NetSuiteCallSafety.SingleUse, request.Safety);
        Assert.True(result.IsSuccess);
    }

    [Fact]
    public async Task ExchangeCode_sends_redirect_uri_exactly_as_given()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, FullResponse());

        await Client(handler).ExchangeCodeAsync(Account, Confidential, Code, new Uri("myapp://callback"), Verifier);

        Assert.Equal("myapp://callback", handler.Single.Form()["redirect_uri"]);
    }

    [Fact]
    public async Task ExchangeCode_invalid_grant_is_a_needs_person_failure()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.BadRequest, """{"error":"invalid_grant"}""");

        var result = await Client(handler).ExchangeCodeAsync(Account, Confidential, Code, Redirect, Verifier);

        Assert.False(result.IsSuccess);
        Assert.Equal("invalid_grant", result.Error!.Code);
        Assert.Equal(NetSuiteErrorClass.NeedsPerson, result.Error.Class);
        Assert.Equal(400, result.Error.StatusCode);
        Assert.DoesNotContain(Code, result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExchangeCode_invalid_client_401_with_www_authenticate_is_a_failure()
    {
        var handler = new RecordingHandler().Respond(
            HttpStatusCode.Unauthorized,
            """{"error":"invalid_client"}""",
            configure: r => r.Headers.WwwAuthenticate.ParseAdd("Basic realm=\"1234567\""));

        var result = await Client(handler).ExchangeCodeAsync(Account, Confidential, Code, Redirect, Verifier);

        Assert.Equal("invalid_client", result.Error!.Code);
        Assert.Equal(NetSuiteErrorClass.NeedsPerson, result.Error.Class);
        Assert.Equal(401, result.Error.StatusCode);
        Assert.DoesNotContain(ClientSecret, result.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExchangeCode_without_refresh_token_in_answer_is_an_error_naming_the_field()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, AccessOnlyResponse());

        var result = await Client(handler).ExchangeCodeAsync(Account, Confidential, Code, Redirect, Verifier);

        Assert.Equal("invalid_response", result.Error!.Code);
        Assert.Contains("refresh_token", result.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AccessToken, result.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"token_type":"bearer"}""")]
    [InlineData("""{"access_token":"","refresh_token":"r"}""")]
    [InlineData("""{"access_token":null}""")]
    [InlineData("""{"access_token":42,"refresh_token":"r"}""")]
    public async Task Answer_without_usable_access_token_to_a_call_that_returns_no_single_use_token_is_an_error_naming_access_token(string body)
    {
        // A confidential client's refresh keeps its refresh token: an answer without an access token is only an error.
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, body);

        var result = await Client(handler).RefreshAsync(Account, Confidential, RefreshToken);

        Assert.False(result.IsSuccess);
        Assert.Equal("invalid_response", result.Error!.Code);
        Assert.Equal(NetSuiteErrorClass.Unexpected, result.Error.Class);
        Assert.Contains("access_token", result.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"refresh_token":"NEWREFRESH","token_type":"bearer"}""", "exchange")]
    [InlineData("""{"access_token":"","refresh_token":"NEWREFRESH"}""", "exchange")]
    [InlineData("""{"access_token":42,"refresh_token":"NEWREFRESH"}""", "public refresh")]
    [InlineData("""{"access_token":null,"refresh_token":"NEWREFRESH","expires_in":3600}""", "public refresh")]
    public async Task Answer_with_a_refresh_token_but_no_usable_access_token_keeps_the_refresh_token_and_names_the_oddity(string body, string call)
    {
        // The code (or the public client's refresh token) is spent: refusing the answer would lose the only new grant.
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, body);

        var result = call == "exchange"
            ? await Client(handler).ExchangeCodeAsync(Account, Confidential, Code, Redirect, Verifier)
            : await Client(handler).RefreshAsync(Account, Public, RefreshToken);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("NEWREFRESH", result.Value.RefreshToken);
        Assert.Null(result.Value.AccessToken);
        var oddity = Assert.Single(result.Value.Oddities);
        Assert.Contains("access_token", oddity, StringComparison.Ordinal);
        Assert.DoesNotContain("NEWREFRESH", oddity, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html><body>oops</body></html>")]
    [InlineData("[1,2]")]
    [InlineData("\"just a string\"")]
    public async Task Answer_that_is_not_a_json_object_is_an_invalid_response(string body)
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, body);

        var result = await Client(handler).RefreshAsync(Account, Confidential, RefreshToken);

        Assert.Equal("invalid_response", result.Error!.Code);
        Assert.Equal(200, result.Error.StatusCode);
    }

    [Theory]
    [InlineData("mac")]
    [InlineData("a-very-long-token-type-that-goes-on-and-on")]
    public async Task Answer_with_a_token_type_other_than_bearer_keeps_its_tokens_and_names_the_oddity(string tokenType)
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, FullResponse(tokenType));

        var result = await Client(handler).ExchangeCodeAsync(Account, Confidential, Code, Redirect, Verifier);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(RefreshToken, result.Value.RefreshToken);
        var oddity = Assert.Single(result.Value.Oddities);
        Assert.Contains("token_type", oddity, StringComparison.Ordinal);
        Assert.Contains(tokenType[..Math.Min(tokenType.Length, 20)], oddity, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"expires_in\":\"3600\",", 3600)]
    [InlineData("\"expires_in\":null,", null)]
    [InlineData("", null)]
    public async Task Answer_expires_in_is_read_from_number_or_string_or_left_empty(string field, int? seconds)
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, $$"""{{{field}}"access_token":"{{AccessToken}}"}""");

        var result = await Client(handler).RefreshAsync(Account, Confidential, RefreshToken);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, result.Value.ExpiresIn);
        Assert.Equal("bearer", result.Value.TokenType);
    }

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("true")]
    public async Task Answer_with_bad_expires_in_is_kept_with_an_oddity_naming_expires_in_so_its_tokens_are_not_lost(string value)
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, $$"""{"access_token":"{{AccessToken}}","refresh_token":"{{RefreshToken}}","expires_in":{{value}}}""");

        var result = await Client(handler).RefreshAsync(Account, Confidential, RefreshToken);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(RefreshToken, result.Value.RefreshToken);
        Assert.Null(result.Value.ExpiresIn);
        Assert.Contains("expires_in", Assert.Single(result.Value.Oddities), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"3600.0\"", 3600)]
    [InlineData("3600.0", 3600)]
    [InlineData("\"3600\"", 3600)]
    [InlineData("1.5", 1.5)]
    public async Task Answer_with_a_decimal_or_string_expires_in_is_read_and_noted_as_an_oddity(string value, double seconds)
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, $$"""{"access_token":"{{AccessToken}}","refresh_token":"{{RefreshToken}}","expires_in":{{value}}}""");

        var result = await Client(handler).RefreshAsync(Account, Confidential, RefreshToken);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(TimeSpan.FromSeconds(seconds), result.Value.ExpiresIn);
        Assert.Contains("expires_in", Assert.Single(result.Value.Oddities), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answer_with_an_integer_expires_in_has_no_oddity()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, FullResponse("bearer"));

        var result = await Client(handler).RefreshAsync(Account, Confidential, RefreshToken);

        Assert.Empty(result.Value.Oddities);
    }

    [Fact]
    public async Task Answer_id_token_and_scope_are_read_when_present()
    {
        var handler = new RecordingHandler().Respond(
            HttpStatusCode.OK,
            $$"""{"access_token":"{{AccessToken}}","refresh_token":"{{RefreshToken}}","id_token":"id.token.value","scope":"openid email"}""");

        var result = await Client(handler).ExchangeCodeAsync(Account, Confidential, Code, Redirect, Verifier);

        Assert.Equal("id.token.value", result.Value.IdToken);
        Assert.Equal("openid email", result.Value.Scope);
    }

    [Fact]
    public async Task Refresh_confidential_posts_refresh_grant_with_basic_auth_is_safe_to_retry_and_keeps_no_new_refresh_token()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, AccessOnlyResponse());

        var result = await Client(handler).RefreshAsync(Account, Confidential, RefreshToken);

        var request = handler.Single;
        Assert.Equal(TokenUrl, request.Uri.AbsoluteUri);
        Assert.Equal("Basic " + OracleBasic, request.Header("Authorization"));
        Assert.Equal("grant_type=refresh_token&refresh_token=" + RefreshToken, request.Body);
        Assert.Equal(NetSuiteCallSafety.SafeToRetry, request.Safety);
        Assert.Equal(Account, request.Account);
        Assert.True(result.IsSuccess);
        Assert.Equal(AccessToken, result.Value.AccessToken);
        Assert.Null(result.Value.RefreshToken);
    }

    [Fact]
    public async Task Refresh_public_sends_client_id_is_single_use_and_returns_the_new_refresh_token()
    {
        var newRefresh = TestJwt.Refresh(1_700_003_600);
        var handler = new RecordingHandler().Respond(
            HttpStatusCode.OK, $$"""{"access_token":"{{AccessToken}}","refresh_token":"{{newRefresh}}","expires_in":3600,"token_type":"bearer"}""");

        var result = await Client(handler).RefreshAsync(Account, Public, RefreshToken);

        var request = handler.Single;
        Assert.Null(request.Header("Authorization"));
        Assert.Equal("grant_type=refresh_token&refresh_token=" + RefreshToken + "&client_id=" + ClientId, request.Body);
        Assert.Equal(NetSuiteCallSafety.SingleUse, request.Safety);
        Assert.Equal(newRefresh, result.Value.RefreshToken);
    }

    [Fact]
    public async Task Refresh_public_without_new_refresh_token_is_an_error()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, AccessOnlyResponse());

        var result = await Client(handler).RefreshAsync(Account, Public, RefreshToken);

        Assert.Contains("refresh_token", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_expired_refresh_token_gives_invalid_grant()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.BadRequest, """{"error":"invalid_grant"}""");

        var result = await Client(handler).RefreshAsync(Account, Confidential, RefreshToken);

        Assert.Equal("invalid_grant", result.Error!.Code);
        Assert.DoesNotContain(RefreshToken, result.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_posts_token_with_basic_auth_and_is_safe_to_retry()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, string.Empty, "text/plain");

        var result = await Client(handler).RevokeAsync(Account, Confidential, RefreshToken);

        var request = handler.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(RevokeUrl, request.Uri.AbsoluteUri);
        Assert.Equal("Basic " + OracleBasic, request.Header("Authorization"));
        Assert.Equal("token=" + RefreshToken, request.Body);
        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType, StringComparison.Ordinal);
        Assert.Equal(NetSuiteCallSafety.SafeToRetry, request.Safety);
        Assert.Equal(Account, request.Account);
        Assert.Equal(200, result.Value);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "Successfully revoked", "text/plain")]
    [InlineData(HttpStatusCode.OK, "<html>whatever</html>", "text/html")]
    [InlineData(HttpStatusCode.NoContent, "", "text/plain")]
    [InlineData(HttpStatusCode.Accepted, "{\"unexpected\":true}", "application/json")]
    public async Task Revoke_treats_any_2xx_as_success_whatever_the_body(HttpStatusCode status, string body, string contentType)
    {
        var handler = new RecordingHandler().Respond(status, body, contentType);

        var result = await Client(handler).RevokeAsync(Account, Confidential, RefreshToken);

        Assert.True(result.IsSuccess);
        Assert.Equal((int)status, result.Value);
    }

    [Fact]
    public async Task Revoke_public_sends_client_id_in_body()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, string.Empty);

        await Client(handler).RevokeAsync(Account, Public, RefreshToken);

        Assert.Equal("token=" + RefreshToken + "&client_id=" + ClientId, handler.Single.Body);
        Assert.Null(handler.Single.Header("Authorization"));
    }

    [Fact]
    public async Task Revoke_error_answer_is_a_failure()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.BadRequest, """{"error":"invalid_request"}""");

        var result = await Client(handler).RevokeAsync(Account, Confidential, RefreshToken);

        Assert.Equal("invalid_request", result.Error!.Code);
    }

    [Fact]
    public async Task ClientCredentials_posts_assertion_without_basic_auth()
    {
        var assertion = TestJwt.Create("""{"iss":"client"}""", """{"typ":"JWT","alg":"ES256","kid":"cert"}""");
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, AccessOnlyResponse());

        var result = await Client(handler).ClientCredentialsAsync(Account, assertion);

        var request = handler.Single;
        Assert.Equal(TokenUrl, request.Uri.AbsoluteUri);
        Assert.Null(request.Header("Authorization"));
        Assert.Equal(
            "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="
            + assertion,
            request.Body);
        Assert.Equal(NetSuiteCallSafety.SafeToRetry, request.Safety);
        Assert.Equal(Account, request.Account);
        Assert.Equal(AccessToken, result.Value.AccessToken);
        Assert.Null(result.Value.RefreshToken);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    public async Task ClientCredentials_rejects_an_assertion_that_is_not_a_compact_jws(string assertion)
    {
        var handler = new RecordingHandler();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Client(handler).ClientCredentialsAsync(Account, assertion));

        Assert.Equal("clientAssertion", ex.ParamName);
        Assert.DoesNotContain(assertion, ex.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Network_failure_becomes_a_transient_failure_result()
    {
        var handler = new RecordingHandler().Throw(new HttpRequestException("connection reset", new IOException("reset")));

        var result = await Client(handler).RefreshAsync(Account, Confidential, RefreshToken);

        Assert.False(result.IsSuccess);
        Assert.Equal(NetSuiteErrorClass.Transient, result.Error!.Class);
        Assert.True(result.Error.MayHaveBeenProcessed);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_thrown_not_returned()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, AccessOnlyResponse());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(handler).RefreshAsync(Account, Confidential, RefreshToken, cts.Token));
    }

    [Fact]
    public async Task Invalid_arguments_are_rejected_before_sending_and_never_echo_secrets()
    {
        var handler = new RecordingHandler();
        var client = Client(handler);
        const string badVerifier = "secret-but-too-short";

        var verifier = await Assert.ThrowsAsync<ArgumentException>(() => client.ExchangeCodeAsync(Account, Confidential, Code, Redirect, badVerifier));
        var relative = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.ExchangeCodeAsync(Account, Confidential, Code, new Uri("/cb", UriKind.Relative), Verifier));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ExchangeCodeAsync(Account, Confidential, " ", Redirect, Verifier));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.ExchangeCodeAsync(null!, Confidential, Code, Redirect, Verifier));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.ExchangeCodeAsync(Account, null!, Code, Redirect, Verifier));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.ExchangeCodeAsync(Account, Confidential, Code, null!, Verifier));
        await Assert.ThrowsAsync<ArgumentException>(() => client.RefreshAsync(Account, Confidential, ""));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.RefreshAsync(null!, Confidential, RefreshToken));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.RefreshAsync(Account, null!, RefreshToken));
        await Assert.ThrowsAsync<ArgumentException>(() => client.RevokeAsync(Account, Confidential, ""));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.RevokeAsync(null!, Confidential, RefreshToken));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.RevokeAsync(Account, null!, RefreshToken));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ClientCredentialsAsync(Account, ""));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.ClientCredentialsAsync(null!, "a.b.c"));

        Assert.DoesNotContain(badVerifier, verifier.Message, StringComparison.Ordinal);
        Assert.Equal("codeVerifier", verifier.ParamName);
        Assert.Equal("redirectUri", relative.ParamName);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void Constructor_rejects_null_dependencies()
    {
        var endpoints = new NetSuiteEndpoints(new NetSuiteEndpointOptions());
        using var http = new HttpClient();

        Assert.Throws<ArgumentNullException>(() => new NetSuiteTokenClient(null!, endpoints));
        Assert.Throws<ArgumentNullException>(() => new NetSuiteTokenClient(http, null!));
    }

    [Fact]
    public async Task Simulator_style_endpoint_templates_are_honoured()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, AccessOnlyResponse());
        var endpoints = new NetSuiteEndpoints(new NetSuiteEndpointOptions { SuiteTalkUrlTemplate = "http://127.0.0.1:5111/{account}/suitetalk" });

        await new NetSuiteTokenClient(handler.CreateClient(), endpoints, TimeProvider.System).RefreshAsync(Account, Confidential, RefreshToken);

        Assert.Equal("http://127.0.0.1:5111/1234567-sb1/suitetalk/services/rest/auth/oauth2/v1/token", handler.Single.Uri.AbsoluteUri);
    }

    [Fact]
    public void TokenResponse_ToString_redacts_every_token()
    {
        var response = new TokenResponse
        {
            AccessToken = AccessToken,
            RefreshToken = RefreshToken,
            IdToken = "id-token-secret",
            ExpiresIn = TimeSpan.FromHours(1),
            Scope = "restlets",
        };
        var minimal = new TokenResponse { AccessToken = AccessToken };

        var text = response.ToString();

        Assert.DoesNotContain(AccessToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(RefreshToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("id-token-secret", text, StringComparison.Ordinal);
        Assert.Contains("3600 s", text, StringComparison.Ordinal);
        Assert.Contains("restlets", text, StringComparison.Ordinal);
        Assert.Contains("RefreshToken = (none)", minimal.ToString(), StringComparison.Ordinal);
        Assert.Contains("ExpiresIn = (none)", minimal.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AccessToken, minimal.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Success_result_ToString_never_shows_tokens()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, FullResponse());

        var result = await Client(handler).ExchangeCodeAsync(Account, Confidential, Code, Redirect, Verifier);

        Assert.DoesNotContain(AccessToken, result.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(RefreshToken, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Client_authentication_ToString_hides_the_secret()
    {
        Assert.DoesNotContain(ClientSecret, Confidential.ToString(), StringComparison.Ordinal);
        Assert.Contains(ClientId, Confidential.ToString(), StringComparison.Ordinal);
        Assert.Contains("Confidential", Confidential.ToString(), StringComparison.Ordinal);
        Assert.Contains("Public", Public.ToString(), StringComparison.Ordinal);
        Assert.False(Confidential.IsPublic);
        Assert.True(Public.IsPublic);
        Assert.Equal(ClientId, Public.ClientId);
    }

    [Fact]
    public void Client_authentication_rejects_empty_values_and_colons()
    {
        Assert.Throws<ArgumentException>(() => OAuth2ClientAuthentication.Confidential(ClientId, ""));
        Assert.Throws<ArgumentException>(() => OAuth2ClientAuthentication.Confidential(" ", ClientSecret));
        Assert.Throws<ArgumentException>(() => OAuth2ClientAuthentication.Public("a:b"));
        Assert.Throws<ArgumentNullException>(() => OAuth2ClientAuthentication.Public(null!));
    }

    [Fact]
    public void Basic_credentials_use_standard_base64_with_padding()
    {
        // Oracle's public-client sample keeps '=' padding: standard Base64, not base64url.
        using var request = new HttpRequestMessage();
        OAuth2ClientAuthentication.Confidential("id?>", "sx").Apply(request, []);

        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("id?>:sx")), request.Headers.Authorization!.Parameter);
        Assert.Contains('=', request.Headers.Authorization.Parameter!);
        Assert.Contains('/', request.Headers.Authorization.Parameter!);
    }
}
