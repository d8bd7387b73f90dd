namespace TokenRotation.Connections;

/// <summary>TBA connection: the integration's consumer credentials and the NetSuite user that rotates tokens.</summary>
public sealed class TbaDefinition
{
    public required string ConsumerKey { get; set; }

    public required string ConsumerSecret { get; set; }

    /// <summary>NetSuite user for issuetoken (NLAuth): e-mail, password, TOTP secret and role.</summary>
    public required RotationUser User { get; set; }

    /// <summary>Role and entity the token must be for (from tokeninfo at import).</summary>
    public string? ExpectedRoleId { get; set; }

    public string? ExpectedEntityId { get; set; }

    /// <summary>Optional extra resource URL to call, signed, when verifying a new token.</summary>
    public string? VerifyUrl { get; set; }
}
