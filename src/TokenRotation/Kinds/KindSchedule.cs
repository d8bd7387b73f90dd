namespace TokenRotation.Kinds;

/// <summary>A credential kind's scheduling facts for one document (see <see cref="ICredentialKind.Schedule"/>).</summary>
public sealed record KindSchedule(DateTimeOffset? CredentialExpiresAt, DateTimeOffset? RefreshExpiresAt, DateTimeOffset? NextActionAt, bool Warned = false)
{
    public static KindSchedule None { get; } = new(null, null, null);
}
