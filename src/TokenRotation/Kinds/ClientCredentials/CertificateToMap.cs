namespace TokenRotation.Kinds.ClientCredentials;

/// <summary>What a person must do in NetSuite to map a new client-credentials certificate.</summary>
public sealed record CertificateToMap(string Connection, string CertificateName, string KeyVersion, string CertificatePem, DateTimeOffset NotAfter, string? RoleId, string? EntityId)
{
    public string Instructions =>
        "In NetSuite: Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup > Create New. " +
        $"Choose the entity {(EntityId is null ? "(the integration user)" : EntityId)}, the role {(RoleId is null ? "(the integration role)" : RoleId)} and the application, " +
        "upload the certificate below, save, and copy the Certificate ID it shows. Then complete the set-up with that id.";

    public override string ToString() => $"certificate {CertificateName}/{KeyVersion} for {Connection}";
}
