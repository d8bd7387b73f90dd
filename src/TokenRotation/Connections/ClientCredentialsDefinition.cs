namespace TokenRotation.Connections;

/// <summary>OAuth 2.0 client-credentials connection: the client and the certificate mapping.</summary>
public sealed class ClientCredentialsDefinition
{
    public required string ClientId { get; set; }

    public List<string> Scopes { get; set; } = ["rest_webservices"];

    public required string RoleId { get; set; }

    public required string EntityId { get; set; }

    /// <summary>Name of the Key Vault certificate (in the state vault) whose key signs the client assertions.</summary>
    public required string CertificateName { get; set; }

    public string Algorithm { get; set; } = "ES256";

    /// <summary>Optional override of the assertion's <c>aud</c> (Oracle's sample and text disagree on the host).</summary>
    public string? Audience { get; set; }
}
