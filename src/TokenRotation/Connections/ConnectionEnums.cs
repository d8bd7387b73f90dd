namespace TokenRotation.Connections;

/// <summary>The NetSuite credential a connection keeps alive.</summary>
public enum ConnectionKind
{
    /// <summary>OAuth 2.0 authorization code grant (confidential or public client): refresh token + access tokens.</summary>
    OAuth2AuthorizationCode,

    /// <summary>OAuth 2.0 client credentials (M2M): access tokens minted from a certificate-signed JWT.</summary>
    OAuth2ClientCredentials,

    /// <summary>Token-based authentication (OAuth 1.0a): token id and secret, rotated through issuetoken/revoketoken.</summary>
    Tba,
}

/// <summary>The connection's health, as the status page and the Key Vault <c>state</c> tag show it.</summary>
public enum ConnectionStatus
{
    /// <summary>Working; nothing needs attention.</summary>
    Healthy,

    /// <summary>A rotation is in progress (pending credential issued or previous one in grace).</summary>
    Rotating,

    /// <summary>Only a person can help (consent, approval, permissions); the message says what to do.</summary>
    NeedsPerson,

    /// <summary>Transient failures are being retried.</summary>
    Failing,

    /// <summary>An operator paused it; timers leave it alone.</summary>
    Paused,
}
