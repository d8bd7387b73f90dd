using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace NetSuite.Auth.Tests.Core;

public sealed class NetSuiteErrorParserTests
{
    private static NetSuiteError Parse(HttpStatusCode status, string body, Action<HttpResponseMessage>? configure = null)
    {
        using var response = new HttpResponseMessage(status);
        configure?.Invoke(response);
        return NetSuiteErrorParser.Parse(response, body);
    }

    [Theory]
    [InlineData("invalid_grant", HttpStatusCode.BadRequest, NetSuiteErrorClass.NeedsPerson)]
    [InlineData("invalid_client", HttpStatusCode.Unauthorized, NetSuiteErrorClass.NeedsPerson)]
    [InlineData("unauthorized_client", HttpStatusCode.BadRequest, NetSuiteErrorClass.NeedsPerson)]
    [InlineData("invalid_request", HttpStatusCode.BadRequest, NetSuiteErrorClass.Unexpected)]
    [InlineData("unsupported_grant_type", HttpStatusCode.BadRequest, NetSuiteErrorClass.Unexpected)]
    [InlineData("temporarily_unavailable", HttpStatusCode.BadRequest, NetSuiteErrorClass.Transient)]
    [InlineData("server_error", HttpStatusCode.InternalServerError, NetSuiteErrorClass.Transient)]
    public void OAuth2_error_json_is_read_and_classified(string code, HttpStatusCode status, NetSuiteErrorClass expected)
    {
        var error = Parse(status, $$"""{"error":"{{code}}","error_description":"described"}""");

        Assert.Equal(code, error.Code);
        Assert.Equal("described", error.Message);
        Assert.Equal(expected, error.Class);
        Assert.Equal((int)status, error.StatusCode);
        Assert.True(error.MayHaveBeenProcessed);
    }

    [Fact]
    public void REST_web_services_concurrency_rejection_is_transient_and_provably_not_processed()
    {
        const string body = """{"type":"https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html","title":"Bad Request","status":429,"o:errorCode":"USER_ERROR","o:errorDetails":[{"detail":"Concurrent request limit exceeded. Request blocked.","o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]}""";

        var error = Parse(HttpStatusCode.TooManyRequests, body);

        Assert.Equal("CONCURRENCY_LIMIT_EXCEEDED", error.Code);
        Assert.Equal("Concurrent request limit exceeded. Request blocked.", error.Message);
        Assert.Equal(NetSuiteErrorClass.Transient, error.Class);
        Assert.False(error.MayHaveBeenProcessed);
        Assert.Equal(429, error.StatusCode);
    }

    [Fact]
    public void REST_web_services_invalid_login_is_ambiguous_with_likely_causes_and_the_audit_trail_detail()
    {
        const string body = """{"type":"https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2","title":"Unauthorized","status":401,"o:errorDetails":[{"detail":"Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.","o:errorCode":"INVALID_LOGIN"}]}""";

        var error = Parse(HttpStatusCode.Unauthorized, body);

        Assert.Equal("INVALID_LOGIN", error.Code);
        Assert.Equal(NetSuiteErrorClass.Ambiguous, error.Class);
        Assert.True(error.LikelyCauses.Count >= 4);
        Assert.Contains(error.LikelyCauses, cause => cause.Contains("concurrency", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(error.LikelyCauses, cause => cause.Contains("1234567_SB1", StringComparison.Ordinal));
        Assert.Contains("View Login Audit Trail", error.AuditTrailHint, StringComparison.Ordinal);
        Assert.Contains("InvalidSignature", error.AuditTrailHint, StringComparison.Ordinal);
        Assert.Contains("InvalidTimestamp", error.AuditTrailHint, StringComparison.Ordinal);
        Assert.True(error.MayHaveBeenProcessed);
    }

    [Fact]
    public void REST_web_services_error_without_details_falls_back_to_the_top_level_code()
    {
        var error = Parse(HttpStatusCode.BadRequest, """{"title":"Bad Request","o:errorCode":"USER_ERROR","o:errorDetails":[{"detail":"no code here"}, 5]}""");

        Assert.Equal("USER_ERROR", error.Code);
        Assert.Equal("Bad Request", error.Message);
        Assert.Equal(NetSuiteErrorClass.Unexpected, error.Class);
    }

    [Theory]
    [InlineData("SSS_REQUEST_LIMIT_EXCEEDED", HttpStatusCode.BadRequest, NetSuiteErrorClass.Transient, false)]
    [InlineData("INVALID_LOGIN_CREDENTIALS", HttpStatusCode.Unauthorized, NetSuiteErrorClass.NeedsPerson, true)]
    [InlineData("INVALID_LOGIN_ATTEMPT", HttpStatusCode.Unauthorized, NetSuiteErrorClass.Ambiguous, true)]
    [InlineData("TWO_FA_REQD", HttpStatusCode.Unauthorized, NetSuiteErrorClass.NeedsPerson, true)]
    [InlineData("consumer_key_refused", HttpStatusCode.Unauthorized, NetSuiteErrorClass.NeedsPerson, true)]
    [InlineData("USER_LOCKED", HttpStatusCode.Unauthorized, NetSuiteErrorClass.NeedsPerson, true)]
    [InlineData("INVALID_REQUEST", HttpStatusCode.BadRequest, NetSuiteErrorClass.Unexpected, true)]
    [InlineData("UNEXPECTED_ERROR", HttpStatusCode.InternalServerError, NetSuiteErrorClass.Transient, true)]
    public void RESTlet_error_json_is_read_and_classified(string code, HttpStatusCode status, NetSuiteErrorClass expected, bool mayHaveBeenProcessed)
    {
        var error = Parse(status, $$$"""{"error":{"code":"{{{code}}}","message":"NetSuite says so"}}""");

        Assert.Equal(code, error.Code);
        Assert.Equal("NetSuite says so", error.Message);
        Assert.Equal(expected, error.Class);
        Assert.Equal(mayHaveBeenProcessed, error.MayHaveBeenProcessed);
    }

    [Fact]
    public void Invalid_login_credentials_lists_NLAuth_causes_and_the_audit_trail()
    {
        var error = Parse(HttpStatusCode.Unauthorized, """{"error":{"code":"INVALID_LOGIN_CREDENTIALS","message":"You have entered an invalid email address or password. Please try again."}}""");

        Assert.Contains(error.LikelyCauses, cause => cause.Contains("nlauth_otp", StringComparison.Ordinal));
        Assert.NotNull(error.AuditTrailHint);
    }

    [Fact]
    public void Bearer_challenge_header_gives_the_code_when_the_body_is_empty()
    {
        var error = Parse(HttpStatusCode.Unauthorized, "", response =>
            response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "realm=\"123456\", error=\"invalid_token\", error_description=\"Invalid login attempt.\"")));

        Assert.Equal("invalid_token", error.Code);
        Assert.Equal("Invalid login attempt.", error.Message);
        Assert.Equal(NetSuiteErrorClass.Ambiguous, error.Class);
    }

    [Fact]
    public void Basic_challenge_without_error_is_ignored_and_401_stays_ambiguous()
    {
        var error = Parse(HttpStatusCode.Unauthorized, "", response =>
        {
            response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Negotiate"));
            response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Basic", "realm=\"123456\""));
        });

        Assert.Equal("empty_response", error.Code);
        Assert.Equal(NetSuiteErrorClass.Ambiguous, error.Class);
        Assert.Contains("empty body", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unquoted_challenge_parameters_are_read()
    {
        var error = Parse(HttpStatusCode.BadRequest, " ", response =>
            response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "error=invalid_request")));

        Assert.Equal("invalid_request", error.Code);
        Assert.Equal(NetSuiteErrorClass.Unexpected, error.Class);
    }

    [Fact]
    public void HTML_error_page_is_reported_by_its_title_without_the_page()
    {
        const string page = "<!DOCTYPE html><html><head><title>\n  Service   Unavailable \n</title></head><body>secret-looking markup</body></html>";

        var unavailable = Parse(HttpStatusCode.ServiceUnavailable, page);
        var forbidden = Parse(HttpStatusCode.Forbidden, "<html><body>no title</body></html>");

        Assert.Equal("http_503", unavailable.Code);
        Assert.Equal(NetSuiteErrorClass.Transient, unavailable.Class);
        Assert.Equal("NetSuite answered with an HTML page titled 'Service Unavailable'.", unavailable.Message);
        Assert.DoesNotContain("markup", unavailable.Message, StringComparison.Ordinal);
        Assert.Equal("html_error", forbidden.Code);
        Assert.Equal(NetSuiteErrorClass.Unexpected, forbidden.Class);
        Assert.Equal("NetSuite answered HTTP 403 with an HTML page.", forbidden.Message);
    }

    [Fact]
    public void XML_error_body_is_read()
    {
        var error = Parse(HttpStatusCode.BadRequest, "<error><code>SSS_REQUEST_LIMIT_EXCEEDED</code><message>Too many</message></error>");
        var noCode = Parse(HttpStatusCode.BadRequest, "<?xml version=\"1.0\"?><fault/>");

        Assert.Equal("SSS_REQUEST_LIMIT_EXCEEDED", error.Code);
        Assert.Equal("Too many", error.Message);
        Assert.False(error.MayHaveBeenProcessed);
        Assert.Equal("http_400", noCode.Code);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "", "http_503", NetSuiteErrorClass.Transient)]
    [InlineData(HttpStatusCode.RequestTimeout, "", "http_408", NetSuiteErrorClass.Transient)]
    [InlineData(HttpStatusCode.TooManyRequests, "", "http_429", NetSuiteErrorClass.Transient)]
    [InlineData(HttpStatusCode.BadRequest, "", "empty_response", NetSuiteErrorClass.Unexpected)]
    [InlineData(HttpStatusCode.BadRequest, "plain words", "http_400", NetSuiteErrorClass.Unexpected)]
    [InlineData(HttpStatusCode.BadRequest, "{not json", "http_400", NetSuiteErrorClass.Unexpected)]
    [InlineData(HttpStatusCode.BadRequest, """{"message":"just a message"}""", "http_400", NetSuiteErrorClass.Unexpected)]
    [InlineData(HttpStatusCode.BadRequest, """{"error":42}""", "http_400", NetSuiteErrorClass.Unexpected)]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":{"code":"","message":"Invalid login attempt."}}""", "http_401", NetSuiteErrorClass.Ambiguous)]
    public void Bodies_without_a_code_are_classified_by_status(HttpStatusCode status, string body, string code, NetSuiteErrorClass expected)
    {
        var error = Parse(status, body);

        Assert.Equal(code, error.Code);
        Assert.Equal(expected, error.Class);
        Assert.True(error.MayHaveBeenProcessed);
    }

    [Fact]
    public void Messages_about_two_factor_authentication_and_approval_are_recognised_without_a_code()
    {
        var twoFactor = Parse(HttpStatusCode.Unauthorized, """{"title":"Two-factor authentication is required for this role."}""");
        var approval = Parse(HttpStatusCode.Forbidden, """{"message":"The application is Waiting for Approval."}""");

        Assert.Equal("TWO_FA_REQD", twoFactor.Code);
        Assert.Equal(NetSuiteErrorClass.NeedsPerson, twoFactor.Class);
        Assert.Equal("WAITING_FOR_APPROVAL", approval.Code);
        Assert.Equal(NetSuiteErrorClass.NeedsPerson, approval.Class);
    }

    [Fact]
    public void Long_messages_are_truncated()
    {
        var error = Parse(HttpStatusCode.BadRequest, $$"""{"error":"invalid_request","error_description":"{{new string('x', 2000)}}"}""");

        Assert.Equal(503, error.Message.Length);
        Assert.EndsWith("...", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retry_after_in_seconds_or_as_a_date_is_read()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        using var dated = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        dated.Headers.RetryAfter = new RetryConditionHeaderValue(time.GetUtcNow().AddSeconds(30));
        using var datedWithDate = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        datedWithDate.Headers.Date = time.GetUtcNow().AddSeconds(-10);
        datedWithDate.Headers.RetryAfter = new RetryConditionHeaderValue(time.GetUtcNow());
        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        past.Headers.RetryAfter = new RetryConditionHeaderValue(time.GetUtcNow().AddSeconds(-30));
        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.Equal(TimeSpan.FromSeconds(7), NetSuiteErrorParser.Parse(seconds, "", time).RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), NetSuiteErrorParser.GetRetryAfter(dated, time));
        Assert.Equal(TimeSpan.FromSeconds(10), NetSuiteErrorParser.GetRetryAfter(datedWithDate, time));
        Assert.Equal(TimeSpan.Zero, NetSuiteErrorParser.GetRetryAfter(past, time));
        Assert.Null(NetSuiteErrorParser.GetRetryAfter(none, time));
    }

    [Fact]
    public void Connection_refused_is_transient_and_provably_not_processed()
    {
        var error = NetSuiteErrorParser.FromException(
            new HttpRequestException("Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused)));

        Assert.Equal("connection_refused", error.Code);
        Assert.Equal(NetSuiteErrorClass.Transient, error.Class);
        Assert.False(error.MayHaveBeenProcessed);
    }

    [Fact]
    public void Name_resolution_and_connect_failures_are_not_processed_but_other_network_failures_may_be()
    {
        var dns = NetSuiteErrorParser.FromException(new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"));
        var reset = NetSuiteErrorParser.FromException(new HttpRequestException(HttpRequestError.ResponseEnded, "response ended", null, HttpStatusCode.BadGateway));
        var io = NetSuiteErrorParser.FromException(new IOException("broken pipe"));

        Assert.Equal("connection_failed", dns.Code);
        Assert.False(dns.MayHaveBeenProcessed);
        Assert.Equal("network", reset.Code);
        Assert.True(reset.MayHaveBeenProcessed);
        Assert.Equal(502, reset.StatusCode);
        Assert.Equal("network", io.Code);
        Assert.Equal(NetSuiteErrorClass.Transient, io.Class);
    }

    [Fact]
    public void Timeouts_open_circuits_and_bugs_are_told_apart()
    {
        var polly = NetSuiteErrorParser.FromException(new TimeoutRejectedException());
        var httpClient = NetSuiteErrorParser.FromException(new TaskCanceledException("timed out", new TimeoutException()));
        var circuit = NetSuiteErrorParser.FromException(new BrokenCircuitException());
        var canceled = NetSuiteErrorParser.FromException(new OperationCanceledException());
        var json = NetSuiteErrorParser.FromException(new JsonException("bad"));
        var bug = NetSuiteErrorParser.FromException(new InvalidOperationException("contains secret-value"));

        Assert.Equal(("timeout", NetSuiteErrorClass.Transient, true), (polly.Code, polly.Class, polly.MayHaveBeenProcessed));
        Assert.Equal("timeout", httpClient.Code);
        Assert.Equal(("circuit_open", NetSuiteErrorClass.Transient, false), (circuit.Code, circuit.Class, circuit.MayHaveBeenProcessed));
        Assert.Equal("canceled", canceled.Code);
        Assert.Equal(("invalid_response", NetSuiteErrorClass.Unexpected), (json.Code, json.Class));
        Assert.Equal(("exception", NetSuiteErrorClass.Unexpected), (bug.Code, bug.Class));
        Assert.DoesNotContain("secret-value", bug.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest);

        Assert.Throws<ArgumentNullException>(() => NetSuiteErrorParser.Parse(null!, ""));
        Assert.Throws<ArgumentNullException>(() => NetSuiteErrorParser.Parse(response, "", null!));
        Assert.Throws<ArgumentNullException>(() => NetSuiteErrorParser.FromException(null!));
        Assert.Throws<ArgumentNullException>(() => NetSuiteErrorParser.GetRetryAfter(null!, TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => NetSuiteErrorParser.GetRetryAfter(response, null!));
        Assert.Equal("empty_response", NetSuiteErrorParser.Parse(response, null!).Code);
    }
}
