using TokenRotation.Connections;

namespace TokenRotation.Cli.Output;

/// <summary>
/// The one name of each connection kind in the CLI's tables, messages and JSON (<c>kindName</c>). Kept in one place
/// so it can follow the status page's names when those move to the engine.
/// </summary>
public static class KindNames
{
    public static string Of(ConnectionKind kind) => kind switch
    {
        ConnectionKind.OAuth2AuthorizationCode => "OAuth 2.0 (authorization code)",
        ConnectionKind.OAuth2ClientCredentials => "OAuth 2.0 (client credentials)",
        ConnectionKind.Tba => "TBA",
        _ => kind.ToString(),
    };
}
