using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Kinds.AuthorizationCode;

/// <summary>
/// OAuth 2.0 authorization code (confidential and public clients): the access token is refreshed ahead of its end, the
/// refresh token lives until a person consents again, and a NeedsPerson warning (in the index only) starts ahead of
/// the refresh token's (a public client's chain's) end. Nothing rotates on a schedule.
/// </summary>
public sealed class AuthorizationCodeKind : ICredentialKind
{
    public ConnectionKind Kind => ConnectionKind.OAuth2AuthorizationCode;

    public DateTimeOffset? RotateAt(ConnectionDocument doc, RotationOptions defaults, RotatedCredential current) => null;

    public void AddServices(IServiceCollection services)
    {
        services.TryAddSingleton<OAuth2RefreshMachine>();
        services.TryAddSingleton<ConsentCodeExchange>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialKindHandler, AuthorizationCodeHandler>());
    }

    public KindSchedule Schedule(ConnectionDocument doc, RotationOptions defaults, DateTimeOffset? accessExpires, DateTimeOffset? now)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var oauth = doc.OAuth2;
        if (oauth is null)
        {
            return KindSchedule.None;
        }

        var warned = ConsentWarningActive(doc, defaults, now);

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

        return new KindSchedule(accessExpires, end, next, warned);
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
            next = accessExpires.Value - Scheduler.AccessLead(doc, defaults);
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
}
