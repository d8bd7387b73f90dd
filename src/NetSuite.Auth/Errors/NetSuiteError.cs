namespace NetSuite.Auth;

/// <summary>A classified NetSuite failure. Every text in it is safe to log: it never holds a secret or a raw response body.</summary>
public sealed class NetSuiteError
{
    /// <summary>Creates an error.</summary>
    /// <param name="errorClass">What the failure means for the connection.</param>
    /// <param name="code">A short machine-readable code (NetSuite's code, or one of ours such as <c>network</c>).</param>
    /// <param name="message">A human-readable message that is safe to log.</param>
    public NetSuiteError(NetSuiteErrorClass errorClass, string code, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentNullException.ThrowIfNull(message);
        Class = errorClass;
        Code = code;
        Message = message;
    }

    /// <summary>What the failure means for the connection.</summary>
    public NetSuiteErrorClass Class { get; }

    /// <summary>
    /// NetSuite's code (e.g. <c>invalid_grant</c>, <c>CONCURRENCY_LIMIT_EXCEEDED</c>, <c>INVALID_LOGIN</c>,
    /// <c>INVALID_LOGIN_CREDENTIALS</c>, <c>TWO_FA_REQD</c>) or one of ours: <c>http_503</c>, <c>network</c>,
    /// <c>connection_refused</c>, <c>connection_failed</c>, <c>timeout</c>, <c>circuit_open</c>, <c>html_error</c>, <c>empty_response</c>,
    /// <c>invalid_response</c>, <c>canceled</c>, <c>exception</c>; <c>TWO_FA_REQD</c> and <c>WAITING_FOR_APPROVAL</c> are also
    /// given when only NetSuite's message says so.
    /// </summary>
    public string Code { get; }

    /// <summary>A message safe to log: never a secret, and no response text beyond NetSuite's own error message.</summary>
    public string Message { get; }

    /// <summary>The HTTP status, when a response arrived.</summary>
    public int? StatusCode { get; init; }

    /// <summary>
    /// False only when NetSuite provably did not process the request (connection refused, concurrency rejection);
    /// true otherwise, including timeouts and 5xx answers.
    /// </summary>
    public bool MayHaveBeenProcessed { get; init; } = true;

    /// <summary>The delay NetSuite asked for with <c>Retry-After</c>, when present.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>For ambiguous failures: the likely causes, most likely first.</summary>
    public IReadOnlyList<string> LikelyCauses { get; init; } = [];

    /// <summary>Where to look in NetSuite to tell the causes apart (the Login Audit Trail and the Detail values to look for).</summary>
    public string? AuditTrailHint { get; init; }

    /// <summary>Returns <c>Class Code (status): Message</c>.</summary>
    /// <returns>A log-safe description.</returns>
    public override string ToString() =>
        StatusCode is { } status ? $"{Class} {Code} (HTTP {status}): {Message}" : $"{Class} {Code}: {Message}";
}
