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
