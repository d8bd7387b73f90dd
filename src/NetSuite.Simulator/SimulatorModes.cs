namespace NetSuite.Simulator;

/// <summary>How a revoke call answers when it succeeds (reference: UNCONFIRMED for both revoke endpoints).</summary>
public enum RevokeResponseMode
{
    /// <summary>200 with a small JSON object.</summary>
    Json200,

    /// <summary>200 with a plain-text body.</summary>
    Text200,

    /// <summary>204 with no body.</summary>
    NoContent204,
}

/// <summary>How a request over the account's concurrency limit is answered.</summary>
public enum OverloadMode
{
    /// <summary>Documented: REST 429 <c>CONCURRENCY_LIMIT_EXCEEDED</c>, RESTlet 400 <c>SSS_REQUEST_LIMIT_EXCEEDED</c>.</summary>
    StatusCode,

    /// <summary>Field report (julbrs/netsuite-api-client #26): "Invalid login attempt" after a delay.</summary>
    InvalidLoginAfterDelay,
}

/// <summary>What a request from an integration in "Waiting for Approval" gets (reference: error UNCONFIRMED).</summary>
public enum WaitingForApprovalMode
{
    /// <summary>The generic invalid-login answer, indistinguishable from a bad credential.</summary>
    InvalidLogin,

    /// <summary>The invalid-login status and code, with a message that names the approval.</summary>
    DescriptiveInvalidLogin,

    /// <summary>403 with a message that names the approval.</summary>
    Forbidden,
}

/// <summary>How the token endpoint writes <c>expires_in</c> (NetSuite topic 1.3 shows the number 3600; variants seen in other servers).</summary>
public enum ExpiresInFormat
{
    /// <summary><c>3600</c> (documented).</summary>
    IntegerNumber,

    /// <summary><c>"3600"</c>.</summary>
    IntegerString,

    /// <summary><c>3600.0</c>.</summary>
    DecimalNumber,

    /// <summary><c>"3600.0"</c>.</summary>
    DecimalString,
}

/// <summary>What the consent page does.</summary>
public enum ConsentMode
{
    /// <summary>Show the HTML page with Allow and Deny; a person (or a test posting the form) decides.</summary>
    Interactive,

    /// <summary>Test switch: approve at once with the preferred or first eligible user and role, and redirect.</summary>
    AutoApprove,

    /// <summary>Test switch: deny at once and redirect with <c>error=access_denied</c>.</summary>
    AutoDeny,
}

/// <summary>Form of the <c>company</c> redirect parameter for sandboxes (NetSuite topic 1.2: UNCONFIRMED).</summary>
public enum CompanyParameterFormat
{
    /// <summary><c>1234567_SB1</c> (the contract's choice).</summary>
    Realm,

    /// <summary><c>1234567-sb1</c>.</summary>
    HostLabel,
}

/// <summary>
/// Switches for behaviours NetSuite's documentation leaves UNCONFIRMED, and test switches. Read on every request,
/// so a test may change them while the simulator runs. Defaults are listed in the README.
/// </summary>
public sealed class SimulatorModes
{
    public RevokeResponseMode OAuth2RevokeResponse { get; set; } = RevokeResponseMode.Json200;

    public RevokeResponseMode TbaRevokeResponse { get; set; } = RevokeResponseMode.Json200;

    public OverloadMode Overload { get; set; } = OverloadMode.StatusCode;

    /// <summary>Wall-clock delay before the "Invalid login attempt" answer in <see cref="OverloadMode.InvalidLoginAfterDelay"/> (field report: about 60 s).</summary>
    public TimeSpan OverloadDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When set, concurrency and 429 answers carry <c>Retry-After</c> with this many whole seconds; null leaves it out.</summary>
    public TimeSpan? RetryAfter { get; set; }

    public WaitingForApprovalMode WaitingForApproval { get; set; } = WaitingForApprovalMode.InvalidLogin;

    /// <summary>Whether OAuth 2.0 token/revoke, issuetoken, revoketoken, tokeninfo and certificate calls take a concurrency slot.</summary>
    public bool TokenCallsCountTowardConcurrency { get; set; } = true;

    /// <summary>issuetoken answers with fields beyond <c>tokenId</c>/<c>tokenSecret</c> (name, ids): clients must ignore them.</summary>
    public bool IssueTokenExtraFields { get; set; }

    /// <summary>issuetoken and revoketoken accept POST as well as the documented GET.</summary>
    public bool TbaEndpointsAcceptPost { get; set; }

    /// <summary>Accept RS256 (PKCS#1 v1.5) client assertions, as NetSuite did before the deprecation.</summary>
    public bool AcceptRs256ClientAssertions { get; set; }

    /// <summary>Reusing a spent public-client refresh token revokes the whole chain (RFC 6819 advice; NetSuite UNCONFIRMED).</summary>
    public bool PublicRefreshReuseRevokesChain { get; set; }

    /// <summary>Form of <c>expires_in</c> in token answers.</summary>
    public ExpiresInFormat ExpiresIn { get; set; } = ExpiresInFormat.IntegerNumber;

    /// <summary>
    /// Test switch: token answers carry an opaque access token (not a JWT) in place of the signed one. The refresh
    /// token stays a JWT. REST and RESTlet calls do not accept the opaque value.
    /// </summary>
    public bool OpaqueAccessTokens { get; set; }

    /// <summary>
    /// Test switch: token answers that carry a refresh token leave <c>access_token</c> out (a malformed answer no
    /// documentation describes; a client must still keep the single-use refresh token it carries).
    /// </summary>
    public bool OmitAccessTokenBesideRefreshToken { get; set; }

    /// <summary>Authorization code lifetime (reference: "limited time validity", seconds UNCONFIRMED).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    public ConsentMode Consent { get; set; } = ConsentMode.Interactive;

    public CompanyParameterFormat CompanyParameter { get; set; } = CompanyParameterFormat.Realm;

    /// <summary>TOTP steps accepted either side of the current one (clock drift).</summary>
    public int TotpWindowSteps { get; set; } = 1;

    /// <summary>Copies every setting (for the admin API and for options).</summary>
    public SimulatorModes Clone() => (SimulatorModes)MemberwiseClone();
}
