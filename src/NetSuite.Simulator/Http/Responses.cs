using System.Globalization;
using System.Text.Json;

namespace NetSuite.Simulator.Http;

/// <summary>The error shapes NetSuite answers with (NetSuite topic 1.8, 3.3, 5.2).</summary>
internal static class Responses
{
    public const string InvalidLoginMessage = "Invalid login attempt.";

    private const string AuditTrailHint =
        "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.";

    private const string ProblemContentType = "application/vnd.oracle.resource+json; type=error; charset=utf-8";

    /// <summary>Token endpoint error: <c>{"error":"invalid_grant"}</c>; 401 invalid_client carries <c>WWW-Authenticate: Basic realm="&lt;account&gt;"</c>.</summary>
    public static SimResult OAuthError(int status, string error, string realm, string? description = null)
    {
        var body = description is null
            ? new Dictionary<string, string> { ["error"] = error }
            : new Dictionary<string, string> { ["error"] = error, ["error_description"] = description };
        var result = SimResult.Json(status, body);
        if (status == 401)
        {
            result.WithHeader("WWW-Authenticate", $"Basic realm=\"{realm}\"");
        }

        return result;
    }

    /// <summary>REST web services problem details with one <c>o:errorDetails</c> entry.</summary>
    public static SimResult RestProblem(int status, string title, string errorCode, string detail, string? topLevelCode = null)
    {
        var body = new Dictionary<string, object>
        {
            ["type"] = status switch
            {
                401 => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2",
                403 => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.4",
                404 => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5",
                429 => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
                _ => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1",
            },
            ["title"] = title,
            ["status"] = status,
        };
        if (topLevelCode is not null)
        {
            body["o:errorCode"] = topLevelCode;
        }

        body["o:errorDetails"] = new[] { new Dictionary<string, string> { ["detail"] = detail, ["o:errorCode"] = errorCode } };
        return SimResult.JsonBytes(status, JsonSerializer.SerializeToUtf8Bytes(body), ProblemContentType);
    }

    /// <summary>RESTlet / rest-domain error: <c>{"error":{"code":"..","message":".."}}</c>.</summary>
    public static SimResult RestletError(int status, string code, string message) =>
        SimResult.Json(status, new Dictionary<string, object> { ["error"] = new Dictionary<string, string> { ["code"] = code, ["message"] = message } });

    public static SimResult RestInvalidLogin(string? message = null) =>
        RestProblem(401, "Unauthorized", "INVALID_LOGIN", message ?? AuditTrailHint);

    public static SimResult RestletInvalidLogin(string? message = null) =>
        RestletError(401, "INVALID_LOGIN_ATTEMPT", message ?? InvalidLoginMessage);

    /// <summary>Bearer failure: 401 with <c>WWW-Authenticate: Bearer realm=.., error="invalid_token", error_description="Invalid login attempt."</c>.</summary>
    public static SimResult BearerInvalid(ResourceFamily family, string realm, string? message = null)
    {
        var result = family == ResourceFamily.Rest ? RestInvalidLogin(message) : RestletInvalidLogin(message);
        return result.WithHeader(
            "WWW-Authenticate",
            $"Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{InvalidLoginMessage}\"");
    }

    /// <summary>Malformed bearer token: 400 with <c>error="invalid_request"</c>.</summary>
    public static SimResult BearerMalformed(ResourceFamily family, string realm)
    {
        var result = family == ResourceFamily.Rest
            ? RestProblem(400, "Bad Request", "INVALID_REQUEST", "The request could not be understood by the server due to malformed syntax.")
            : RestletError(400, "INVALID_REQUEST", "The request could not be understood by the server due to malformed syntax.");
        return result.WithHeader("WWW-Authenticate", $"Bearer realm=\"{realm}\", error=\"invalid_request\"");
    }

    /// <summary>The documented concurrency answers (NetSuite topic 5.2).</summary>
    public static SimResult ConcurrencyExceeded(ResourceFamily family) => family == ResourceFamily.Restlet
        ? RestletError(400, "SSS_REQUEST_LIMIT_EXCEEDED", "Your request was blocked because the concurrent request limit for your account has been exceeded.")
        : RestProblem(429, "Bad Request", "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked.", "USER_ERROR");

    public static SimResult WithRetryAfter(SimResult result, TimeSpan? retryAfter) =>
        retryAfter is { } r
            ? result.WithHeader("Retry-After", Math.Max(0, (int)Math.Ceiling(r.TotalSeconds)).ToString(CultureInfo.InvariantCulture))
            : result;
}

/// <summary>Which error dialect an endpoint speaks.</summary>
internal enum ResourceFamily
{
    /// <summary>REST web services and <c>/services/rest/...</c> on either domain: problem details, 429 for concurrency.</summary>
    Rest,

    /// <summary>RESTlets and <c>/rest/...</c> on the RESTlet domain: <c>{"error":{"code","message"}}</c>, 400 for concurrency.</summary>
    Restlet,

    /// <summary>The OAuth 2.0 token and revoke endpoints: <c>{"error":".."}</c>.</summary>
    OAuth,

    /// <summary>The browser consent pages.</summary>
    Browser,
}
