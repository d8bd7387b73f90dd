namespace TokenRotation.Kinds.AuthorizationCode;

/// <summary>The outcome of <see cref="ConsentGrantCheck.Decide"/>: a refusal, or the role and entity the tokens name.</summary>
internal sealed record ConsentGrantDecision(string? Refusal, string? RoleId, string? EntityId)
{
    internal static ConsentGrantDecision Refuse(string message) => new(message, null, null);
}
