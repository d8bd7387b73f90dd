namespace TokenRotation.Connections;

/// <summary>
/// The kinds as people say them, in one place for the status page, the CLI and messages: never the enum's name.
/// </summary>
public static class ConnectionKindNames
{
    public const string AuthorizationCode = "OAuth 2.0 (authorization code)";
    public const string ClientCredentials = "OAuth 2.0 (client credentials)";
    public const string Tba = "TBA (OAuth 1.0a)";

    public static string Display(ConnectionKind kind) => kind switch
    {
        ConnectionKind.OAuth2AuthorizationCode => AuthorizationCode,
        ConnectionKind.OAuth2ClientCredentials => ClientCredentials,
        ConnectionKind.Tba => Tba,
        _ => kind.ToString(),
    };
}
