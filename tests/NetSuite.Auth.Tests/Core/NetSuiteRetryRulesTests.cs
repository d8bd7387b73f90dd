using System.Net;
using System.Net.Sockets;
using NetSuite.Auth.Tests.Support;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace NetSuite.Auth.Tests.Core;

public sealed class NetSuiteRetryRulesTests
{
    private const string Concurrency = """{"title":"Bad Request","status":429,"o:errorDetails":[{"detail":"Concurrent request limit exceeded. Request blocked.","o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]}""";
    private const string RestletLimit = """{"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED","message":"limit"}}""";
    private const string BadCredentials = """{"error":{"code":"INVALID_LOGIN_CREDENTIALS","message":"You have entered an invalid email address or password."}}""";

    private static bool Rule(NetSuiteCallSafety safety, HttpStatusCode status, string body = "")
    {
        using var response = new HttpResponseMessage(status);
        return NetSuiteRetryRules.ShouldRetry(safety, response, body);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "")]
    [InlineData(HttpStatusCode.InternalServerError, "")]
    [InlineData(HttpStatusCode.RequestTimeout, "")]
    [InlineData(HttpStatusCode.TooManyRequests, "")]
    [InlineData(HttpStatusCode.TooManyRequests, Concurrency)]
    [InlineData(HttpStatusCode.BadRequest, RestletLimit)]
    public void Safe_calls_are_retried_on_transient_answers(HttpStatusCode status, string body)
    {
        Assert.True(Rule(NetSuiteCallSafety.SafeToRetry, status, body));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "")]
    [InlineData(HttpStatusCode.InternalServerError, "")]
    [InlineData(HttpStatusCode.RequestTimeout, "")]
    [InlineData(HttpStatusCode.TooManyRequests, "")]
    public void Single_use_calls_are_not_retried_when_NetSuite_may_have_processed_them(HttpStatusCode status, string body)
    {
        Assert.False(Rule(NetSuiteCallSafety.SingleUse, status, body));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, Concurrency)]
    [InlineData(HttpStatusCode.BadRequest, RestletLimit)]
    public void Single_use_calls_are_retried_after_a_concurrency_rejection(HttpStatusCode status, string body)
    {
        Assert.True(Rule(NetSuiteCallSafety.SingleUse, status, body));
    }

    [Theory]
    [InlineData(NetSuiteCallSafety.SafeToRetry, HttpStatusCode.Unauthorized)]
    [InlineData(NetSuiteCallSafety.SafeToRetry, HttpStatusCode.ServiceUnavailable)]
    [InlineData(NetSuiteCallSafety.SingleUse, HttpStatusCode.Unauthorized)]
    public void Invalid_login_credentials_are_never_retried(NetSuiteCallSafety safety, HttpStatusCode status)
    {
        Assert.False(Rule(safety, status, BadCredentials));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.NoContent)]
    [InlineData(HttpStatusCode.Found)]
    public void Non_error_answers_are_never_retried(HttpStatusCode status)
    {
        Assert.False(Rule(NetSuiteCallSafety.SafeToRetry, status));
    }

    [Theory]
    [InlineData("""{"error":"invalid_grant"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"o:errorDetails":[{"detail":"Invalid login attempt.","o:errorCode":"INVALID_LOGIN"}]}""", HttpStatusCode.Unauthorized)]
    [InlineData("""{"error":"invalid_request"}""", HttpStatusCode.BadRequest)]
    public void Needs_person_ambiguous_and_unexpected_answers_are_not_retried_even_when_safe(string body, HttpStatusCode status)
    {
        Assert.False(Rule(NetSuiteCallSafety.SafeToRetry, status, body));
    }

    [Fact]
    public void Exceptions_follow_the_same_rule()
    {
        Assert.True(NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SingleUse, ScriptedHandler.ConnectionRefused()));
        Assert.True(NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SafeToRetry, ScriptedHandler.ConnectionRefused()));
        Assert.False(NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SingleUse, new TimeoutRejectedException()));
        Assert.True(NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SafeToRetry, new TimeoutRejectedException()));
        Assert.False(NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SingleUse, new HttpRequestException("reset", new SocketException((int)SocketError.ConnectionReset))));
        Assert.True(NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SafeToRetry, new HttpRequestException("reset", new SocketException((int)SocketError.ConnectionReset))));
        Assert.False(NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SafeToRetry, new BrokenCircuitException()));
        Assert.False(NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SafeToRetry, new OperationCanceledException()));
        Assert.False(NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SafeToRetry, new InvalidOperationException()));
    }

    [Fact]
    public async Task ShouldRetryAsync_reads_the_body_and_leaves_it_readable()
    {
        using var response = ScriptedHandler.Respond(HttpStatusCode.TooManyRequests, Concurrency);

        Assert.True(await NetSuiteRetryRules.ShouldRetryAsync(NetSuiteCallSafety.SingleUse, response, null));
        Assert.Equal(Concurrency, await response.Content.ReadAsStringAsync());
        Assert.False(await NetSuiteRetryRules.ShouldRetryAsync(NetSuiteCallSafety.SingleUse, null, null));
        Assert.True(await NetSuiteRetryRules.ShouldRetryAsync(NetSuiteCallSafety.SingleUse, null, ScriptedHandler.ConnectionRefused()));
    }

    [Fact]
    public async Task Unreadable_body_counts_as_empty()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new FailingContent() };

        Assert.True(await NetSuiteRetryRules.ShouldRetryAsync(NetSuiteCallSafety.SafeToRetry, response, null));
        using var ioResponse = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new FailingContent(io: true) };
        Assert.True(await NetSuiteRetryRules.ShouldRetryAsync(NetSuiteCallSafety.SafeToRetry, ioResponse, null));
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SafeToRetry, (NetSuiteError)null!));
        Assert.Throws<ArgumentNullException>(() => NetSuiteRetryRules.ShouldRetry(NetSuiteCallSafety.SafeToRetry, (HttpResponseMessage)null!, ""));
    }

    private sealed class FailingContent(bool io = false) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            io ? throw new IOException("stream broke") : throw new HttpRequestException("stream broke");

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
