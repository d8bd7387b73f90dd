using System.Globalization;
using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// The tags on a connection's state secret: the index a sweep reads without reading values (architecture section 3).
/// Scheduling changes are tag-only updates, which create no secret version.
/// </summary>
public sealed record ConnectionIndex
{
    public const string KindTag = "kind";
    public const string AccountTag = "account";
    public const string StateTag = "state";
    public const string NextActionAtTag = "nextActionAt";
    public const string CredentialExpiresAtTag = "credentialExpiresAt";
    public const string RefreshExpiresAtTag = "refreshExpiresAt";
    public const string GenerationTag = "generation";
    public const string RotateAtTag = "rotateAt";
    public const string WorkedAtTag = "workedAt";
    public const string WorkedByTag = "workedBy";
    public const string CheckedAtTag = "checkedAt";
    public const string CheckAtTag = "checkAt";

    /// <summary>
    /// The daily sweep runs every scheduled check due before the next daily sweep: a check due a few seconds after today's
    /// sweep is not left for tomorrow's.
    /// </summary>
    public static readonly TimeSpan DailyCheckWindow = TimeSpan.FromDays(1);

    public required ConnectionName Name { get; init; }

    public required ConnectionKind Kind { get; init; }

    public required string Account { get; init; }

    public required ConnectionStatus State { get; init; }

    /// <summary>When the connection next needs work; null means only a person or an operator can move it.</summary>
    public DateTimeOffset? NextActionAt { get; init; }

    public DateTimeOffset? CredentialExpiresAt { get; init; }

    public DateTimeOffset? RefreshExpiresAt { get; init; }

    public long Generation { get; init; }

    /// <summary>When a new rotation (TBA token, certificate) should start; only the daily sweep starts rotations.</summary>
    public DateTimeOffset? RotateAt { get; init; }

    /// <summary>
    /// When a scheduled check of the credential is due that no refresh or mint makes (a TBA token's tokeninfo call); the
    /// daily sweep runs it, within <see cref="DailyCheckWindow"/> of this time.
    /// </summary>
    public DateTimeOffset? CheckAt { get; init; }

    /// <summary>When the credential last worked (a refresh, a mint, a tokeninfo call, a rotation's verification).</summary>
    public DateTimeOffset? WorkedAt { get; init; }

    /// <summary>What proved it at <see cref="WorkedAt"/>: short text, never a secret.</summary>
    public string? WorkedBy { get; init; }

    /// <summary>When the credential was last checked, successfully or not; the next scheduled check counts from here.</summary>
    public DateTimeOffset? CheckedAt { get; init; }

    /// <summary>The credential check this index records; null when none is recorded.</summary>
    public CredentialCheck? Check => WorkedAt is null && WorkedBy is null && CheckedAt is null ? null : new CredentialCheck(WorkedAt, WorkedBy, CheckedAt);

    public bool IsDue(DateTimeOffset now) => State != ConnectionStatus.Paused && NextActionAt is { } next && next <= now;

    /// <summary>Due for the frequent sweep, or with <paramref name="startRotations"/> for the daily one.</summary>
    public bool IsDue(DateTimeOffset now, bool startRotations) =>
        IsDue(now) || (startRotations && State != ConnectionStatus.Paused
            && ((RotateAt is { } rotate && rotate <= now) || (CheckAt is { } check && check <= now + DailyCheckWindow)));

    public IDictionary<string, string> ToTags()
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KindTag] = Kind.ToString(),
            [AccountTag] = Account,
            [StateTag] = State.ToString(),
            [GenerationTag] = Generation.ToString(CultureInfo.InvariantCulture),
        };
        Put(tags, NextActionAtTag, NextActionAt);
        Put(tags, CredentialExpiresAtTag, CredentialExpiresAt);
        Put(tags, RefreshExpiresAtTag, RefreshExpiresAt);
        Put(tags, RotateAtTag, RotateAt);
        Put(tags, CheckAtTag, CheckAt);
        Put(tags, WorkedAtTag, WorkedAt);
        Put(tags, CheckedAtTag, CheckedAt);
        if (WorkedBy is { Length: > 0 } workedBy)
        {
            tags[WorkedByTag] = workedBy;
        }

        return tags;
    }

    /// <summary>Reads an index from tags; null when the tags are not a connection's (missing kind or account).</summary>
    public static ConnectionIndex? FromTags(ConnectionName name, IReadOnlyDictionary<string, string> tags)
    {
        if (!tags.TryGetValue(KindTag, out var kind) || !Enum.TryParse<ConnectionKind>(kind, out var parsedKind)
            || !tags.TryGetValue(AccountTag, out var account))
        {
            return null;
        }

        return new ConnectionIndex
        {
            Name = name,
            Kind = parsedKind,
            Account = account,
            State = tags.TryGetValue(StateTag, out var state) && Enum.TryParse<ConnectionStatus>(state, out var s) ? s : ConnectionStatus.Healthy,
            NextActionAt = Get(tags, NextActionAtTag),
            CredentialExpiresAt = Get(tags, CredentialExpiresAtTag),
            RefreshExpiresAt = Get(tags, RefreshExpiresAtTag),
            RotateAt = Get(tags, RotateAtTag),
            CheckAt = Get(tags, CheckAtTag),
            WorkedAt = Get(tags, WorkedAtTag),
            WorkedBy = tags.TryGetValue(WorkedByTag, out var workedBy) && workedBy.Length > 0 ? workedBy : null,
            CheckedAt = Get(tags, CheckedAtTag),
            Generation = tags.TryGetValue(GenerationTag, out var g) && long.TryParse(g, CultureInfo.InvariantCulture, out var gen) ? gen : 0,
        };
    }

    private static void Put(Dictionary<string, string> tags, string key, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            tags[key] = v.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        }
    }

    private static DateTimeOffset? Get(IReadOnlyDictionary<string, string> tags, string key) =>
        tags.TryGetValue(key, out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;
}
