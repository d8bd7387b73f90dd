using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Kinds;
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
        var facts = CredentialKinds.Find(doc.Kind)?.Schedule(doc, defaults, accessExpires, now) ?? KindSchedule.None;
        var (credentialExpires, refreshExpires, next, warned, checkAt) = facts;

        if (doc.LastError?.RetryAt is { } retry && (next is null || retry < next) && doc.Status != ConnectionStatus.NeedsPerson)
        {
            next = retry;
        }

        if (doc.Rotation?.NextAttemptAt is { } attempt && (next is null || attempt < next))
        {
            next = attempt;
        }

        var check = LastCheck(doc);
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
            CheckAt = doc.Paused ? null : checkAt,
            WorkedAt = check?.WorkedAt,
            WorkedBy = check?.WorkedBy,
            CheckedAt = check?.CheckedAt,
        };
    }

    /// <summary>The credential check the index records: the one this session made, else the stored index's.</summary>
    public static CredentialCheck? LastCheck(ConnectionDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        return doc.Check ?? doc.StoredIndex?.Check;
    }

    /// <summary>
    /// When the credential's next scheduled check is due (architecture section 13): the check interval after the last
    /// check, or, before any was recorded, after the last success, rotation or the current credential's issue.
    /// </summary>
    public static DateTimeOffset NextCheck(ConnectionDocument doc, RotationOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(defaults);
        var check = LastCheck(doc);
        var since = check?.CheckedAt ?? check?.WorkedAt ?? Max(doc.LastSuccessAt, doc.LastRotationAt) ?? doc.Credentials.Current?.IssuedAt ?? doc.CreatedAt;
        return since + defaults.CredentialCheckInterval;
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

        return CredentialKinds.Find(doc.Kind)?.RotateAt(doc, defaults, current);
    }

    public static TimeSpan AccessLead(ConnectionDocument doc, RotationOptions defaults) =>
        doc.Policy.AccessTokenLeadTime ?? defaults.AccessTokenLeadTime;

    /// <summary>
    /// When a rotation in progress next needs a run: a failed step waits for its retry time (so that sweeps do not read
    /// it on every pass before then); otherwise at once, or after the grace period once promoted.
    /// </summary>
    internal static DateTimeOffset RotationNext(ConnectionDocument doc, RotationProgress rotation) =>
        rotation.NextAttemptAt
        ?? (rotation.Step == RotationStep.Promoted ? doc.Credentials.Previous?.RetireAfter ?? DateTimeOffset.MinValue : DateTimeOffset.MinValue);

    internal static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    internal static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;
}
