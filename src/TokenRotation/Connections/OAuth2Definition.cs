namespace TokenRotation.Connections;

/// <summary>OAuth 2.0 authorization-code connection: the client and its consented tokens.</summary>
public sealed class OAuth2Definition
{
    public required string ClientId { get; set; }

    /// <summary>Null for a public client.</summary>
    public string? ClientSecret { get; set; }

    public bool IsPublicClient { get; set; }

    public List<string> Scopes { get; set; } = ["rest_webservices"];

    /// <summary>The redirect URI registered on the integration record; the callback URL of this app.</summary>
    public required string RedirectUri { get; set; }

    /// <summary>Role id the tokens must be for; pinned by the first consent unless set at import.</summary>
    public string? ExpectedRoleId { get; set; }

    /// <summary>Entity (user) id the tokens must be for; pinned by the first consent unless set at import.</summary>
    public string? ExpectedEntityId { get; set; }

    /// <summary>
    /// Imported without an account: the accounts the first consent may bind to (normalised entries of
    /// <see cref="AccountRestriction"/>); null or empty allows any.
    /// </summary>
    public List<string>? AllowedAccounts { get; set; }

    /// <summary>Public clients: the integration record's "Maximum Time For Token Rotation" (no token carries it).</summary>
    public int MaxRotationHours { get; set; } = 168;

    /// <summary>Public clients: refresh at most this often (access tokens are needed only this often).</summary>
    public TimeSpan? PublicRefreshInterval { get; set; }

    public string? RefreshToken { get; set; }

    public DateTimeOffset? RefreshTokenExpiresAt { get; set; }

    /// <summary>The refresh token's <c>iat</c>: public clients refresh by half of its validity.</summary>
    public DateTimeOffset? RefreshTokenIssuedAt { get; set; }

    /// <summary>Public clients: oit + maximum rotation time, after which a person must consent again.</summary>
    public DateTimeOffset? ChainEndsAt { get; set; }

    public DateTimeOffset? ConsentedAt { get; set; }

    /// <summary>
    /// Public clients: set (and persisted) before a refresh is sent, cleared with the new token. If a run finds
    /// it set, the single-use refresh token may have been spent without our seeing the answer.
    /// </summary>
    public DateTimeOffset? RefreshStartedAt { get; set; }
}
