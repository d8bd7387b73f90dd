namespace TokenRotation.Connections;

/// <summary>
/// Whether a connection's rotation credentials have been shown to work. A TBA import proves the token (tokeninfo),
/// but the user's password and TOTP secret only work if an NLAuth login succeeds, which first happens at a rotation:
/// until one has completed, the connection is "rotation credentials unproven", not simply Healthy.
/// </summary>
public static class RotationProof
{
    public const string UnprovenText = "rotation credentials unproven";

    public static bool IsUnproven(ConnectionDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        return doc.Kind == ConnectionKind.Tba && doc.LastRotationAt is null;
    }

    /// <summary>What to tell a person about an unproven connection.</summary>
    public static string Advice(string connection) =>
        $"no NLAuth login with the user's password (and TOTP secret) has succeeded yet, so the next rotation is the first test of them; prove them now with `nstoken rotate {connection}`";
}
