namespace TokenRotation.Connections;

/// <summary>One TBA token or one M2M certificate.</summary>
public sealed class RotatedCredential
{
    /// <summary>TBA token id, or the NetSuite certificate id (the assertion's <c>kid</c>).</summary>
    public required string Id { get; set; }

    /// <summary>TBA token secret; null for certificates (their key stays in Key Vault).</summary>
    public string? Secret { get; set; }

    /// <summary>The NetSuite token name, which is the rotation id that created it.</summary>
    public string? Name { get; set; }

    /// <summary>Key Vault certificate version whose key signs with this credential.</summary>
    public string? KeyVersion { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Set on the previous credential at promotion: revoke it after this time.</summary>
    public DateTimeOffset? RetireAfter { get; set; }

    public override string ToString() => $"credential {Id} ({Name})";
}
