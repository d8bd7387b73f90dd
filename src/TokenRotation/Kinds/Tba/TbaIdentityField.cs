namespace TokenRotation.Kinds.Tba;

/// <summary>The parts of a TBA token's identity that tokeninfo shows.</summary>
public enum TbaIdentityField
{
    Account,
    Role,
    Entity,
}
