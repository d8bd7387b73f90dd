using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Auth.Tba;
using NetSuite.Auth.Tests.Support;

namespace NetSuite.Auth.Tests.Tba;

public sealed class NetSuiteTbaClientTests
{
    [Fact]
    public async Task IssueToken_sends_GET_with_NLAuth_and_otp_and_reads_the_token_ignoring_unknown_fields()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, """{"tokenId":"tid-1","tokenSecret":"tsecret-1","name":"x","extra":{"a":1}}""");
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().IssueTokenAsync(Vectors.User(), "ck", "nightly rotation", "654321");

        var request = handler.Requests.Single();
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("https://1234567-sb1.restlets.api.netsuite.com/rest/issuetoken?consumerKey=ck&name=nightly%20rotation", request.Uri.AbsoluteUri);
        Assert.Equal("NLAuth", request.AuthorizationScheme);
        Assert.EndsWith("nlauth_role=3, nlauth_otp=654321", request.AuthorizationParameter, StringComparison.Ordinal);
        Assert.Equal("tid-1", result.Value.TokenId);
        Assert.Equal("tsecret-1", result.Value.TokenSecret);
    }

    [Theory]
    [InlineData("""{"tokenId":"tid-1"}""", "tokenSecret")]
    [InlineData("""{"tokenSecret":"s"}""", "tokenId")]
    [InlineData("[]", "tokenId")]
    public async Task IssueToken_answer_without_the_token_is_unexpected_and_says_a_token_may_exist(string body, string missing)
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, body);
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().IssueTokenAsync(Vectors.User(), "ck");

        Assert.Equal("invalid_response", result.Error?.Code);
        Assert.Equal(NetSuiteErrorClass.Unexpected, result.Error?.Class);
        Assert.Contains(missing, result.Error?.Message, StringComparison.Ordinal);
        Assert.Contains("revoked", result.Error?.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nlauth_otp", handler.Requests.Single().AuthorizationParameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssueToken_answer_that_is_not_JSON_is_unexpected()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, "<html>ok</html>", "text/html");
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().IssueTokenAsync(Vectors.User(), "ck");

        Assert.Equal("invalid_response", result.Error?.Code);
        Assert.Equal(200, result.Error?.StatusCode);
    }

    [Fact]
    public async Task IssueToken_two_factor_refusal_needs_a_person()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.Unauthorized, """{"error":{"code":"TWO_FA_REQD","message":"Two-factor authentication required"}}""");
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().IssueTokenAsync(Vectors.User(), "ck");

        Assert.Equal(NetSuiteErrorClass.NeedsPerson, result.Error?.Class);
        Assert.Equal("TWO_FA_REQD", result.Error?.Code);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "")]
    [InlineData(HttpStatusCode.OK, "<html><body>Token revoked</body></html>")]
    [InlineData(HttpStatusCode.OK, """{"unexpected":true}""")]
    [InlineData(HttpStatusCode.NoContent, "")]
    [InlineData(HttpStatusCode.Accepted, "not json at all")]
    public async Task Revoke_signed_with_the_token_itself_treats_any_2xx_as_success(HttpStatusCode status, string body)
    {
        var handler = new ScriptedHandler().ThenRespond(status, body, "text/plain");
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().RevokeTokenAsync(Vectors.Small());

        Assert.Equal((int)status, result.Value.StatusCode);
        var request = handler.Requests.Single();
        Assert.Equal("https://1234567-sb1.restlets.api.netsuite.com/rest/revoketoken?consumerKey=ck&token=tk", request.Uri.AbsoluteUri);
        Assert.Equal("OAuth", request.AuthorizationScheme);
        Assert.Equal("\"1234567_SB1\"", request.AuthorizationParameter!.Split(", ")[0]["realm=".Length..]);
        Assert.Equal("tk", request.OAuthParameter("oauth_token"));
        Assert.Equal("HMAC-SHA256", request.OAuthParameter("oauth_signature_method"));
    }

    [Fact]
    public async Task Revoke_with_NLAuth_is_safe_to_retry()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.BadGateway).ThenRespond(HttpStatusCode.OK);
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().RevokeTokenAsync(Vectors.User(), "ck", "old-token");

        Assert.True(result.IsSuccess);
        Assert.Equal(2, handler.Calls);
        Assert.All(handler.Requests, r => Assert.Equal("NLAuth", r.AuthorizationScheme));
        Assert.EndsWith("token=old-token", handler.Requests.First().Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_refused_as_invalid_login_is_ambiguous_because_the_token_may_already_be_revoked()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.Unauthorized, """{"error":{"code":"INVALID_LOGIN_ATTEMPT","message":"Invalid login attempt."}}""");
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().RevokeTokenAsync(Vectors.Small());

        Assert.Equal(NetSuiteErrorClass.Ambiguous, result.Error?.Class);
        Assert.NotEmpty(result.Error!.LikelyCauses);
        Assert.Equal(1, handler.Calls);
    }

    [Theory]
    [InlineData("""{"companyId":"1234567_SB1","companyName":"Acme","roleId":3,"roleName":"Administrator","entityId":"-5","unknown":[1,2]}""")]
    [InlineData("""{"company_id":"1234567_SB1","company_name":"Acme","role_id":"3","role_name":"Administrator","entity_id":-5}""")]
    [InlineData("""{"company":{"id":"1234567_SB1","name":"Acme"},"role":{"internalId":3,"name":"Administrator"},"entity":{"id":"-5"}}""")]
    [InlineData("""{"COMPANYID":"1234567_SB1","CompanyName":"Acme","ROLEID":"3","RoleName":"Administrator","EntityID":"-5"}""")]
    public async Task TokenInfo_reads_the_documented_facts_whatever_the_field_spelling(string body)
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, body);
        await using var provider = TestServices.Build(handler);

        var info = (await provider.Tba().TokenInfoAsync(Vectors.Small())).Value;

        Assert.Equal(new TbaTokenInfo("1234567_SB1", "Acme", "3", "Administrator", "-5"), info);
        var request = handler.Requests.Single();
        Assert.Equal("https://1234567-sb1.restlets.api.netsuite.com/rest/tokeninfo", request.Uri.AbsoluteUri);
        Assert.Equal("OAuth", request.AuthorizationScheme);
    }

    [Fact]
    public async Task TokenInfo_with_no_known_fields_gives_nulls_and_a_non_object_is_unexpected()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, """{"something":"else","role":"","company":5}""").ThenRespond(HttpStatusCode.OK, "[1]");
        await using var provider = TestServices.Build(handler);

        var empty = await provider.Tba().TokenInfoAsync(Vectors.Small());
        var array = await provider.Tba().TokenInfoAsync(Vectors.Small());

        Assert.Equal(new TbaTokenInfo(null, null, null, null, null), empty.Value);
        Assert.Equal("invalid_response", array.Error?.Code);
    }

    [Fact]
    public async Task Verify_signs_a_GET_of_any_resource_and_reports_the_status()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, """{"id":"40"}""");
        await using var provider = TestServices.Build(handler);
        var url = new Uri("https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40?fields=id");

        var result = await provider.Tba().VerifyAsync(Vectors.Small(), url);

        Assert.Equal(200, result.Value.StatusCode);
        var request = handler.Requests.Single();
        Assert.Equal(url, request.Uri);
        Assert.Equal("ck", request.OAuthParameter("oauth_consumer_key"));
        Assert.Null(request.OAuthParameter("fields"));
    }

    [Fact]
    public async Task Verify_refused_with_invalid_login_carries_causes_and_never_a_secret()
    {
        var handler = new ScriptedHandler().ThenRespond(
            HttpStatusCode.Unauthorized,
            """{"title":"Unauthorized","status":401,"o:errorDetails":[{"detail":"Invalid login attempt. For more details, see the Login Audit Trail.","o:errorCode":"INVALID_LOGIN"}]}""");
        await using var provider = TestServices.Build(handler);

        var result = await provider.Tba().VerifyAsync(Vectors.Small(), new Uri("https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40"));

        var error = result.Error!;
        Assert.Equal(NetSuiteErrorClass.Ambiguous, error.Class);
        Assert.NotNull(error.AuditTrailHint);
        var everything = string.Join("\n", [error.ToString(), error.AuditTrailHint, .. error.LikelyCauses, result.ToString()]);
        Assert.DoesNotContain(Vectors.TokenSecret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Vectors.ConsumerSecret, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_refuses_plain_http_outside_loopback_without_sending()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK);
        await using var provider = TestServices.Build(handler);

        await Assert.ThrowsAsync<ArgumentException>(() => provider.Tba().VerifyAsync(Vectors.Small(), new Uri("http://example.com/x")));
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Form_body_parameters_are_signed_but_JSON_bodies_are_not()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK);
        var nonces = new SequenceNonce();
        var services = new ServiceCollection();
        services.AddSingleton<ITbaNonceSource>(nonces);
        services.AddSingleton<TimeProvider>(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)));
        services.AddHttpClient("signed").AddNetSuiteResilience().ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("signed");
        var signer = new TbaSigner(new SequenceNonce(), TimeProvider.System);
        var url = new Uri("https://example.com/r?q=1");

        using (var form = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent([new("b", "x y")]) })
        {
            form.Options.Set(TbaSigningHandler.Credentials, Vectors.Small());
            (await client.SendAsync(form)).Dispose();
        }

        using (var json = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("""{"b":"x y"}""", System.Text.Encoding.UTF8, "application/json") })
        {
            json.Options.Set(TbaSigningHandler.Credentials, Vectors.Small());
            (await client.SendAsync(json)).Dispose();
        }

        var expectedForm = signer.Sign(HttpMethod.Post, url, Vectors.Small(), [new("b", "x y")], "nonce-1", 1700000000);
        var expectedJson = signer.Sign(HttpMethod.Post, url, Vectors.Small(), null, "nonce-2", 1700000000);
        Assert.Equal(expectedForm.AuthorizationHeader, handler.Requests.ElementAt(0).Authorization);
        Assert.Equal(expectedJson.AuthorizationHeader, handler.Requests.ElementAt(1).Authorization);
    }

    [Fact]
    public async Task Null_arguments_are_refused()
    {
        await using var provider = TestServices.Build(new ScriptedHandler());
        var tba = provider.Tba();

        await Assert.ThrowsAsync<ArgumentNullException>(() => tba.IssueTokenAsync(null!, "ck"));
        await Assert.ThrowsAsync<ArgumentNullException>(() => tba.RevokeTokenAsync((TbaCredentials)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => tba.RevokeTokenAsync((NLAuthCredentials)null!, "ck", "t"));
        await Assert.ThrowsAsync<ArgumentNullException>(() => tba.TokenInfoAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => tba.VerifyAsync(null!, new Uri("https://example.com")));
        await Assert.ThrowsAsync<ArgumentNullException>(() => tba.VerifyAsync(Vectors.Small(), null!));
    }

    private sealed class SequenceNonce : ITbaNonceSource
    {
        private int _next;

        public string NewNonce() => $"nonce-{Interlocked.Increment(ref _next)}";
    }
}
