using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>What happens to a connection at a known time, for the status page's timeline.</summary>
public enum ConnectionEventKind
{
    /// <summary>A confidential client's refresh token ends: a person must consent before then.</summary>
    RefreshTokenEnds,

    /// <summary>A public client's chain of refresh tokens ends (first consent + the maximum rotation time).</summary>
    ChainEnds,

    /// <summary>The consent warning starts: the connection needs a person from then on.</summary>
    ConsentWarningStarts,

    /// <summary>A client-credentials certificate expires.</summary>
    CertificateExpires,

    /// <summary>A new TBA token or certificate is issued by the daily sweep.</summary>
    RotationStarts,

    /// <summary>The previous credential of the rotation that starts then is revoked, once its grace period is over.</summary>
    RotationRetires,

    /// <summary>The grace period of the previous credential ends and it is revoked.</summary>
    GracePeriodEnds,
}

public sealed record ConnectionEvent(ConnectionEventKind Kind, DateTimeOffset At);

/// <summary>The dated events of one connection, from its document and index (architecture section 4). Pure.</summary>
internal static class ConnectionEvents
{
    public static IReadOnlyList<ConnectionEvent> From(ConnectionDocument doc, ConnectionIndex index, RotationOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(defaults);
        var events = new List<ConnectionEvent>();
        void Add(ConnectionEventKind kind, DateTimeOffset? at)
        {
            if (at is { } value)
            {
                events.Add(new ConnectionEvent(kind, value));
            }
        }

        if (doc.OAuth2 is { RefreshToken: not null } oauth)
        {
            Add(oauth.IsPublicClient ? ConnectionEventKind.ChainEnds : ConnectionEventKind.RefreshTokenEnds, AuthorizationCodeKind.WarnedEnd(oauth));
            Add(ConnectionEventKind.ConsentWarningStarts, AuthorizationCodeKind.WarningStarts(doc, defaults));
        }

        if (doc.Kind == ConnectionKind.OAuth2ClientCredentials)
        {
            Add(ConnectionEventKind.CertificateExpires, doc.Credentials.Current?.ExpiresAt);
        }

        if (index.RotateAt is { } rotate)
        {
            Add(ConnectionEventKind.RotationStarts, rotate);
            Add(ConnectionEventKind.RotationRetires, rotate + (doc.Policy.GracePeriod ?? defaults.GracePeriod));
        }

        Add(ConnectionEventKind.GracePeriodEnds, doc.Credentials.Previous?.RetireAfter);
        return events.OrderBy(e => e.At).ToArray();
    }
}
