using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>
/// Derives a connection's index (state, next action, expiries) from its document and the facts that live only
/// in tags (the current access token's expiry). Pure: the same inputs give the same index.
/// </summary>
public static class Scheduler
{
    /// <param name="doc">The document (with the tags it was read with, <see cref="ConnectionDocument.StoredIndex"/>).</param>
    /// <param name="defaults">The global rotation policy.</param>
    /// <param name="accessTokenExpiresAt">An access token expiry learnt after the document was read.</param>
    /// <param name="now">
    /// The time, for the consent warning ahead of a refresh token's end: it is a state of the index only (the tag
    /// <c>state</c> says NeedsPerson; the document keeps no new version). Without it the stored tags say whether it began.
    /// </param>
    public static ConnectionIndex Index(ConnectionDocument doc, RotationOptions defaults, DateTimeOffset? accessTokenExpiresAt = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(defaults);
        var accessExpires = accessTokenExpiresAt ?? doc.StoredIndex?.CredentialExpiresAt;
        var rotateAt = RotateAt(doc, defaults);
        var warned = ConsentWarningActive(doc, defaults, now);
        var (credentialExpires, refreshExpires, next) = doc.Kind switch
        {
            ConnectionKind.OAuth2AuthorizationCode => AuthorizationCode(doc, defaults, accessExpires, warned),
            ConnectionKind.OAuth2ClientCredentials => ClientCredentials(doc, defaults, accessExpires),
            ConnectionKind.Tba => Tba(doc, defaults),
            _ => (null, null, null),
        };

        if (doc.LastError?.RetryAt is { } retry && (next is null || retry < next) && doc.Status != ConnectionStatus.NeedsPerson)
        {
            next = retry;
        }

        if (doc.Rotation?.NextAttemptAt is { } attempt && (next is null || attempt < next))
        {
            next = attempt;
        }

        return new ConnectionIndex
        {
            Name = ConnectionName.Parse(doc.Name),
            Kind = doc.Kind,
            Account = doc.Account,
            State = doc.Paused ? ConnectionStatus.Paused : warned ? ConnectionStatus.NeedsPerson : doc.Status,
            NextActionAt = doc.Paused ? null : next,
            CredentialExpiresAt = credentialExpires,
            RefreshExpiresAt = refreshExpires,
            Generation = doc.Generation,
            RotateAt = doc.Paused ? null : rotateAt,
        };
    }

    /// <summary>When the daily sweep should start a new rotation: only when none is in progress.</summary>
    public static DateTimeOffset? RotateAt(ConnectionDocument doc, RotationOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(defaults);
        if (doc.Rotation is not null || doc.Credentials.Current is not { } current || doc.Status == ConnectionStatus.NeedsPerson)
        {
            return null;
        }

        return doc.Kind switch
        {
            ConnectionKind.Tba => current.IssuedAt + (doc.Policy.TbaRotationInterval ?? defaults.TbaRotationInterval),
            ConnectionKind.OAuth2ClientCredentials when current.ExpiresAt is { } expires =>
                expires - (doc.Policy.CertificateRenewBefore ?? defaults.CertificateRenewBefore),
            _ => null,
        };
    }

    /// <summary>When the refresh token (or a public client's chain) ends: the earlier of the two.</summary>
    public static DateTimeOffset? RefreshEnds(OAuth2Definition oauth) =>
        (oauth.RefreshTokenExpiresAt, oauth.ChainEndsAt) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => null,
        };

    /// <summary>When the NeedsPerson warning starts for an authorization-code connection.</summary>
    public static DateTimeOffset? WarningStarts(ConnectionDocument doc, RotationOptions defaults) =>
        doc.OAuth2 is { } oauth && WarnedEnd(oauth) is { } end
            ? end - (doc.Policy.ConsentWarningLeadTime ?? defaults.ConsentWarningLeadTime)
            : null;

    /// <summary>
    /// The end a person is warned about: a confidential client's refresh token end; a public client's chain end, since
    /// each refresh renews its single-use refresh token (whose validity, 48 h by default, is no longer than the
    /// warning lead time, so warning ahead of it would flag every public client all the time).
    /// </summary>
    public static DateTimeOffset? WarnedEnd(OAuth2Definition oauth)
    {
        ArgumentNullException.ThrowIfNull(oauth);
        return oauth.IsPublicClient && oauth.ChainEndsAt is { } chain ? chain : RefreshEnds(oauth);
    }

    /// <summary>
    /// True while the consent warning is on: an authorization-code connection that still works (Healthy or Failing)
    /// and whose refresh token (a public client's chain) ends within the warning lead time. Refreshing continues.
    /// </summary>
    public static bool ConsentWarningActive(ConnectionDocument doc, RotationOptions defaults, DateTimeOffset? now)
    {
        ArgumentNullException.ThrowIfNull(doc);
        if (doc.Status is not (ConnectionStatus.Healthy or ConnectionStatus.Failing) || doc.OAuth2?.RefreshToken is null
            || WarningStarts(doc, defaults) is not { } warning)
        {
            return false;
        }

        return now is { } n ? n >= warning : doc.StoredIndex?.State == ConnectionStatus.NeedsPerson;
    }

    /// <summary>What the consent warning tells a person.</summary>
    public static string ConsentWarning(OAuth2Definition oauth) =>
        $"The refresh token ends at {WarnedEnd(oauth):u}. Consent again before then, or the connection stops working; refreshing continues until then.";

    public static TimeSpan AccessLead(ConnectionDocument doc, RotationOptions defaults) =>
        doc.Policy.AccessTokenLeadTime ?? defaults.AccessTokenLeadTime;

    /// <summary>When the access token should next be refreshed; null when there is no refresh token to use.</summary>
    public static DateTimeOffset? NextRefresh(ConnectionDocument doc, RotationOptions defaults, DateTimeOffset? accessExpires)
    {
        var oauth = doc.OAuth2;
        if (oauth?.RefreshToken is null || oauth.RefreshStartedAt is not null)
        {
            return null;
        }

        var end = RefreshEnds(oauth);
        DateTimeOffset next;
        if (accessExpires is null)
        {
            next = DateTimeOffset.MinValue; // no access token published yet: now
        }
        else if (oauth.IsPublicClient && oauth.PublicRefreshInterval is { } interval)
        {
            // Public clients write state on every refresh: refresh only as often as consumers need tokens...
            next = accessExpires.Value - TimeSpan.FromHours(1) + interval;
        }
        else
        {
            next = accessExpires.Value - AccessLead(doc, defaults);
        }

        if (oauth.IsPublicClient && oauth.RefreshTokenExpiresAt is { } refreshExpires && oauth.RefreshTokenIssuedAt is { } issued)
        {
            // ...but always well inside the single-use refresh token's validity: by half of what is left.
            var keepAlive = refreshExpires - TimeSpan.FromTicks((refreshExpires - issued).Ticks / 2);
            if (keepAlive < next)
            {
                next = keepAlive;
            }
        }

        if (end is { } e && next >= e)
        {
            return null;
        }

        return next;
    }

    private static (DateTimeOffset?, DateTimeOffset?, DateTimeOffset?) AuthorizationCode(ConnectionDocument doc, RotationOptions defaults, DateTimeOffset? accessExpires, bool warned)
    {
        var oauth = doc.OAuth2;
        if (oauth is null)
        {
            return (null, null, null);
        }

        var end = RefreshEnds(oauth);
        var next = NextRefresh(doc, defaults, accessExpires);
        if (doc.Status == ConnectionStatus.NeedsPerson && oauth.RefreshToken is not null && doc.LastError is { } refused)
        {
            // NetSuite refused the refresh for a reason only a person can fix (blocked integration, invalid_client):
            // try again on the slow backoff only, not on every access-token cycle.
            next = refused.RetryAt;
        }

        var warning = WarningStarts(doc, defaults);
        if (warning is { } w && !warned && doc.Status != ConnectionStatus.NeedsPerson && (next is null || w < next))
        {
            next = w;
        }

        if (end is { } e && oauth.RefreshToken is not null && oauth.RefreshStartedAt is null && (next is null || e < next))
        {
            next = e;
        }

        if (oauth.RefreshStartedAt is { } started && doc.Status != ConnectionStatus.NeedsPerson && (next is null || started < next))
        {
            // A run stopped between persisting its refresh intent and saving the answer: the next run must say so.
            next = started;
        }

        return (accessExpires, end, next);
    }

    private static (DateTimeOffset?, DateTimeOffset?, DateTimeOffset?) ClientCredentials(ConnectionDocument doc, RotationOptions defaults, DateTimeOffset? accessExpires)
    {
        var current = doc.Credentials.Current;
        if (current is null)
        {
            return (accessExpires, null, null);
        }

        DateTimeOffset? next = accessExpires is { } a ? a - AccessLead(doc, defaults) : DateTimeOffset.MinValue;
        if (doc.Status == ConnectionStatus.NeedsPerson && doc.Rotation is null)
        {
            // NetSuite refused the assertion (mapping wiped, certificate revoked): try again only on a slow backoff,
            // so a fix in NetSuite is picked up without a NetSuite call and a state write on every sweep. A refused
            // rotation schedules no retry: the current certificate still works, so minting goes on.
            next = doc.LastError?.RetryAt ?? next;
        }

        if (doc.Rotation is { } rotation)
        {
            next = Min(next, RotationNext(doc, rotation));
        }

        return (accessExpires, current.ExpiresAt, next);
    }

    private static (DateTimeOffset?, DateTimeOffset?, DateTimeOffset?) Tba(ConnectionDocument doc, RotationOptions defaults)
    {
        var current = doc.Credentials.Current;
        if (current is null)
        {
            return (null, null, null);
        }

        DateTimeOffset? next = null;
        if (doc.Rotation is { } rotation)
        {
            next = RotationNext(doc, rotation);
        }

        return (null, null, next);
    }

    /// <summary>
    /// When a rotation in progress next needs a run: a failed step waits for its retry time (so that sweeps do not read
    /// it on every pass before then); otherwise at once, or after the grace period once promoted.
    /// </summary>
    private static DateTimeOffset RotationNext(ConnectionDocument doc, RotationProgress rotation) =>
        rotation.NextAttemptAt
        ?? (rotation.Step == RotationStep.Promoted ? doc.Credentials.Previous?.RetireAfter ?? DateTimeOffset.MinValue : DateTimeOffset.MinValue);

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
