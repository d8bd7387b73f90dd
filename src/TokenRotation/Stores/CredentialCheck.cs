namespace TokenRotation.Stores;

/// <summary>
/// What the index knows of a credential's liveness (architecture section 13): when it last worked and what proved it (a
/// refresh, a mint, a tokeninfo call, a rotation's verification), and when it was last checked, whatever the result. It
/// lives in the connection's index row, not in the state document, so recording it costs no Key Vault write.
/// </summary>
/// <param name="WorkedAt">When the credential last worked; null when never recorded.</param>
/// <param name="WorkedBy">What proved it then (short text: <c>refresh</c>, <c>mint</c>, <c>tokeninfo</c>, ...).</param>
/// <param name="CheckedAt">When it was last checked, successfully or not.</param>
public sealed record CredentialCheck(DateTimeOffset? WorkedAt, string? WorkedBy, DateTimeOffset? CheckedAt)
{
    /// <summary>A check that worked at <paramref name="at"/>, proved by <paramref name="by"/>.</summary>
    public static CredentialCheck Worked(DateTimeOffset at, string by) => new(at, by, at);
}
