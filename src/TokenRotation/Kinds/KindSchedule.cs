namespace TokenRotation.Kinds;

/// <summary>
/// A credential kind's scheduling facts for one document (see <see cref="ICredentialKind.Schedule"/>). <paramref name="CheckAt"/>
/// is when a scheduled check of the credential is due that no refresh or mint makes (a TBA token's tokeninfo call): the
/// daily sweep runs it (architecture section 13, "Scheduled checks").
/// </summary>
public sealed record KindSchedule(DateTimeOffset? CredentialExpiresAt, DateTimeOffset? RefreshExpiresAt, DateTimeOffset? NextActionAt, bool Warned = false, DateTimeOffset? CheckAt = null)
{
    public static KindSchedule None { get; } = new(null, null, null);
}
