using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace NetSuite.Auth;

/// <summary>
/// Turns NetSuite answers and transport failures into a classified <see cref="NetSuiteError"/>. Understands OAuth 2.0
/// error JSON, REST web services <c>o:errorDetails</c>, RESTlet <c>{"error":{"code","message"}}</c>, the
/// <c>WWW-Authenticate</c> header, HTML error pages and empty bodies.
/// </summary>
public static partial class NetSuiteErrorParser
{
    private const int MaxMessageLength = 500;

    /// <summary>Where to look in NetSuite when it says "Invalid login attempt".</summary>
    public const string LoginAuditTrailHint =
        "In NetSuite open Setup > Users/Roles > User Management > View Login Audit Trail, find the failed row for this user and time, "
        + "and read its Detail column: InvalidSignature (secrets, realm or signed URL wrong), InvalidTimestamp (clock skew over 5 minutes), "
        + "nonce_used/NonceUsed (nonce reused), token_rejected or TokenRejected (token revoked, inactive or of another integration), "
        + "consumer_key_refused or IntegrationBlocked (integration record blocked), permission_denied or EntityOrRoleDisabled (user or role cannot log in), "
        + "temporary_locked (user locked after failed logins), AccessTokenExpired/TokenExpired (OAuth 2.0 token expired). "
        + "No failed row at all points to overload (concurrency limit) rather than a credential.";

    private static readonly string[] InvalidLoginCauses =
    [
        "The account's concurrency limit was exceeded: under load NetSuite sometimes answers over-limit requests with 'Invalid login attempt' instead of a concurrency error.",
        "The OAuth 1.0a signature does not match: a wrong consumer or token secret, a realm not in the uppercase-underscore form (1234567_SB1), or a URL, method or parameters signed differently from what was sent (Detail: InvalidSignature).",
        "The client clock is more than 5 minutes off NetSuite's (Detail: InvalidTimestamp), or a nonce was reused (Detail: nonce_used).",
        "The token was revoked, is inactive or belongs to another integration record, or the OAuth 2.0 access token expired (Detail: token_rejected, TokenRejected, AccessTokenExpired).",
        "The integration record is blocked or waiting for approval (Detail: consumer_key_refused, IntegrationBlocked).",
        "The user or role can no longer log in: the role was removed or lacks the login permission, the entity is inactive, or the user is locked after failed logins (Detail: permission_denied, EntityOrRoleDisabled, temporary_locked).",
    ];

    private static readonly string[] InvalidCredentialsCauses =
    [
        "Wrong e-mail or password in the NLAuth header.",
        "The role id is not a role of this user, or the account id is wrong.",
        "The one-time code (nlauth_otp) is missing, wrong, or was already used in this 30-second window.",
        "The user is locked after repeated failed logins (wait 30 minutes, do not retry).",
    ];

    private static readonly HashSet<string> NeedsPersonCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "invalid_grant", "invalid_client", "unauthorized_client", "access_denied",
        "consumer_key_refused", "consumer_key_unknown", "IntegrationBlocked", "UnknownIntegration",
        "TWO_FA_REQD", "temporary_locked", "USER_LOCKED", "ACCOUNT_LOCKED", "LOCKED_USER",
        "INVALID_LOGIN_CREDENTIALS", "permission_denied", "EntityOrRoleDisabled", "FeatureDisabled",
        "token_rejected", "TokenRejected", "AuthorizationCodeGrantRequired", "WAITING_FOR_APPROVAL",
    };

    private static readonly HashSet<string> ConcurrencyRejectionCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "CONCURRENCY_LIMIT_EXCEEDED", "SSS_REQUEST_LIMIT_EXCEEDED", "WS_REQUEST_BLOCKED", "WS_CONCUR_SESSION_DISALLWD",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "temporarily_unavailable", "server_error", "SSS_REQUEST_TIME_EXCEEDED",
    };

    private static readonly HashSet<string> AmbiguousCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "INVALID_LOGIN", "INVALID_LOGIN_ATTEMPT", "invalid_token",
    };

    /// <summary>Classifies a non-success response.</summary>
    /// <param name="response">The response (status and headers are read; the content is not).</param>
    /// <param name="body">The response body as text (may be empty).</param>
    /// <returns>The classified error.</returns>
    public static NetSuiteError Parse(HttpResponseMessage response, string body) => Parse(response, body, TimeProvider.System);

    /// <summary>Classifies a non-success response, reading a date-form <c>Retry-After</c> against <paramref name="timeProvider"/>.</summary>
    /// <param name="response">The response (status and headers are read; the content is not).</param>
    /// <param name="body">The response body as text (may be empty).</param>
    /// <param name="timeProvider">The clock for date-form <c>Retry-After</c> when the response has no <c>Date</c> header.</param>
    /// <returns>The classified error.</returns>
    public static NetSuiteError Parse(HttpResponseMessage response, string body, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(timeProvider);
        body ??= string.Empty;
        var status = (int)response.StatusCode;
        var retryAfter = GetRetryAfter(response, timeProvider);

        var (code, message, shape) = ReadBody(body);
        if (code is null && ReadWwwAuthenticate(response) is (string challengeCode, var challengeMessage))
        {
            code = challengeCode;
            message = challengeMessage ?? message;
        }

        if (code is null && message is not null && message.Contains("two-factor authentication", StringComparison.OrdinalIgnoreCase))
        {
            code = "TWO_FA_REQD";
        }

        if (code is null && message is not null && message.Contains("waiting for approval", StringComparison.OrdinalIgnoreCase))
        {
            code = "WAITING_FOR_APPROVAL";
        }

        code ??= status >= 500 || status == 408 || status == 429
            ? $"http_{status}"
            : shape switch
            {
                BodyShape.Empty => "empty_response",
                BodyShape.Html => "html_error",
                _ => $"http_{status}",
            };
        message = Truncate(message ?? DefaultMessage(shape, status));

        var concurrency = ConcurrencyRejectionCodes.Contains(code);
        var errorClass = Classify(code, message, status);
        var invalidLogin = errorClass == NetSuiteErrorClass.Ambiguous;
        var invalidCredentials = string.Equals(code, "INVALID_LOGIN_CREDENTIALS", StringComparison.OrdinalIgnoreCase);
        return new NetSuiteError(errorClass, code, message)
        {
            StatusCode = status,
            RetryAfter = retryAfter,
            MayHaveBeenProcessed = !concurrency,
            LikelyCauses = invalidLogin ? InvalidLoginCauses : invalidCredentials ? InvalidCredentialsCauses : [],
            AuditTrailHint = invalidLogin || invalidCredentials ? LoginAuditTrailHint : null,
        };
    }

    /// <summary>Classifies a failure that produced no response (network, timeout, open circuit, bug).</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The classified error. Its message names the exception type and, for transport failures, the transport's message, never a secret.</returns>
    public static NetSuiteError FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case BrokenCircuitException:
                return new NetSuiteError(
                    NetSuiteErrorClass.Transient,
                    "circuit_open",
                    "Calls to this NetSuite account are paused after repeated transient failures (circuit breaker open); the request was not sent.")
                {
                    MayHaveBeenProcessed = false,
                };
            case TimeoutRejectedException:
                return Timeout();
            case OperationCanceledException when exception.InnerException is TimeoutException:
                return Timeout();
            case HttpRequestException http:
                return FromHttpRequestException(http);
            case IOException or SocketException:
                return new NetSuiteError(NetSuiteErrorClass.Transient, "network", $"Network failure talking to NetSuite ({exception.GetType().Name}).");
            case JsonException:
                return new NetSuiteError(NetSuiteErrorClass.Unexpected, "invalid_response", "NetSuite answered with JSON this library could not read.");
            case OperationCanceledException:
                return new NetSuiteError(NetSuiteErrorClass.Unexpected, "canceled", "The call to NetSuite was canceled.");
            default:
                return new NetSuiteError(NetSuiteErrorClass.Unexpected, "exception", $"Unexpected {exception.GetType().Name} while talking to NetSuite.");
        }
    }

    /// <summary>Reads <c>Retry-After</c> (seconds or HTTP date) from a response.</summary>
    /// <param name="response">The response.</param>
    /// <param name="timeProvider">The clock used when the response has no <c>Date</c> header.</param>
    /// <returns>The delay (never negative), or null when the header is absent.</returns>
    public static TimeSpan? GetRetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var now = response.Headers.Date ?? timeProvider.GetUtcNow();
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static NetSuiteError Timeout() =>
        new(NetSuiteErrorClass.Transient, "timeout", "NetSuite did not answer in time; the request may have been processed.");

    private static NetSuiteError FromHttpRequestException(HttpRequestException exception)
    {
        var refused = false;
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                refused = true;
            }
        }

        var transport = Truncate(exception.Message);
        if (refused)
        {
            return new NetSuiteError(NetSuiteErrorClass.Transient, "connection_refused", $"Connection refused; the request was not sent. {transport}")
            {
                MayHaveBeenProcessed = false,
            };
        }

        // Name resolution and connect failures happen before any byte of the request is sent.
        if (exception.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError)
        {
            return new NetSuiteError(NetSuiteErrorClass.Transient, "connection_failed", $"Could not connect; the request was not sent. {transport}")
            {
                MayHaveBeenProcessed = false,
            };
        }

        return new NetSuiteError(NetSuiteErrorClass.Transient, "network", $"Network failure; the request may have been processed. {transport}")
        {
            StatusCode = exception.StatusCode is { } status ? (int)status : null,
        };
    }

    private static NetSuiteErrorClass Classify(string code, string message, int status)
    {
        if (NeedsPersonCodes.Contains(code))
        {
            return NetSuiteErrorClass.NeedsPerson;
        }

        if (ConcurrencyRejectionCodes.Contains(code) || TransientCodes.Contains(code))
        {
            return NetSuiteErrorClass.Transient;
        }

        if (AmbiguousCodes.Contains(code) || message.Contains("Invalid login attempt", StringComparison.OrdinalIgnoreCase))
        {
            return NetSuiteErrorClass.Ambiguous;
        }

        if (status >= 500 || status == (int)HttpStatusCode.RequestTimeout || status == (int)HttpStatusCode.TooManyRequests)
        {
            return NetSuiteErrorClass.Transient;
        }

        return status == (int)HttpStatusCode.Unauthorized ? NetSuiteErrorClass.Ambiguous : NetSuiteErrorClass.Unexpected;
    }

    private enum BodyShape
    {
        Empty,
        Json,
        Html,
        Xml,
        Text,
    }

    private static (string? Code, string? Message, BodyShape Shape) ReadBody(string body)
    {
        var trimmed = body.Trim();
        if (trimmed.Length == 0)
        {
            return (null, null, BodyShape.Empty);
        }

        if (trimmed[0] == '{')
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                var (code, message) = ReadJson(document.RootElement);
                return (code, message, BodyShape.Json);
            }
            catch (JsonException)
            {
                return (null, null, BodyShape.Text);
            }
        }

        if (trimmed[0] == '<')
        {
            if (trimmed.Contains("<html", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("<!DOCTYPE", StringComparison.OrdinalIgnoreCase))
            {
                var title = TitlePattern().Match(trimmed);
                return (null, title.Success ? $"NetSuite answered with an HTML page titled '{Clean(title.Groups[1].Value)}'." : null, BodyShape.Html);
            }

            var xmlCode = XmlCodePattern().Match(trimmed);
            var xmlMessage = XmlMessagePattern().Match(trimmed);
            return (
                xmlCode.Success ? Clean(xmlCode.Groups[1].Value) : null,
                xmlMessage.Success ? Clean(xmlMessage.Groups[1].Value) : null,
                BodyShape.Xml);
        }

        return (null, null, BodyShape.Text);
    }

    private static (string? Code, string? Message) ReadJson(JsonElement root)
    {
        // OAuth 2.0: {"error":"invalid_grant","error_description":"..."}
        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String)
            {
                return (NonEmpty(error.GetString()), GetString(root, "error_description"));
            }

            // RESTlet: {"error":{"code":"...","message":"..."}}
            if (error.ValueKind == JsonValueKind.Object)
            {
                return (NonEmpty(GetString(error, "code")), GetString(error, "message"));
            }
        }

        // REST web services: {"title":..,"status":..,"o:errorCode":"USER_ERROR","o:errorDetails":[{"detail":..,"o:errorCode":..}]}
        if (root.TryGetProperty("o:errorDetails", out var details) && details.ValueKind == JsonValueKind.Array)
        {
            foreach (var detail in details.EnumerateArray())
            {
                if (detail.ValueKind == JsonValueKind.Object && NonEmpty(GetString(detail, "o:errorCode")) is { } detailCode)
                {
                    return (detailCode, GetString(detail, "detail"));
                }
            }
        }

        if (NonEmpty(GetString(root, "o:errorCode")) is { } topCode)
        {
            return (topCode, GetString(root, "title"));
        }

        return (null, GetString(root, "title") ?? GetString(root, "message"));
    }

    private static (string? Code, string? Message) ReadWwwAuthenticate(HttpResponseMessage response)
    {
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            var parameter = challenge.Parameter;
            if (parameter is null)
            {
                continue;
            }

            var code = ChallengeParameter(parameter, "error");
            if (code is not null)
            {
                return (code, ChallengeParameter(parameter, "error_description"));
            }
        }

        return (null, null);
    }

    private static string? ChallengeParameter(string parameters, string name)
    {
        foreach (Match match in ChallengePattern().Matches(parameters))
        {
            if (string.Equals(match.Groups["name"].Value, name, StringComparison.OrdinalIgnoreCase))
            {
                return NonEmpty(match.Groups["quoted"].Success ? match.Groups["quoted"].Value : match.Groups["token"].Value);
            }
        }

        return null;
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string DefaultMessage(BodyShape shape, int status) => shape switch
    {
        BodyShape.Empty => $"NetSuite answered HTTP {status} with an empty body.",
        BodyShape.Html => $"NetSuite answered HTTP {status} with an HTML page.",
        _ => $"NetSuite answered HTTP {status} without an error this library recognises.",
    };

    private static string Clean(string value) => WhitespacePattern().Replace(value, " ").Trim();

    private static string Truncate(string value) => value.Length <= MaxMessageLength ? value : value[..MaxMessageLength] + "...";

    [GeneratedRegex(@"<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex TitlePattern();

    [GeneratedRegex(@"<code>(.*?)</code>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex XmlCodePattern();

    [GeneratedRegex(@"<message>(.*?)</message>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex XmlMessagePattern();

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_\-]*)\s*=\s*(?:""(?<quoted>[^""]*)""|(?<token>[^,\s]*))", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ChallengePattern();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex WhitespacePattern();
}
