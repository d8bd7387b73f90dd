namespace TokenRotation.Kinds.Tba;

/// <summary>One part of a TBA token's identity that differs from what the connection expects.</summary>
public sealed record TbaIdentityMismatch(TbaIdentityField Field, string Found, string Expected)
{
    public override string ToString() => $"{Field.ToString().ToLowerInvariant()} {Found}, expected {Expected}";
}
