using TokenRotation.Connections;

namespace TokenRotation.Tests.Unit;

/// <summary>Connection documents of each kind as an import leaves them; the tests change what they are about.</summary>
internal static class UnitDocuments
{
    public const string OriginalTokenId = "token-0";

    public static ConnectionDocument Tba(string name, DateTimeOffset issuedAt) => new()
    {
        Name = name,
        Kind = ConnectionKind.Tba,
        Account = MachineWorld.Account,
        Tba = new TbaDefinition
        {
            ConsumerKey = "consumer-key",
            ConsumerSecret = "consumer-secret",
            User = new RotationUser { Email = "integration@example.com", Password = "not-the-password", TotpSecret = "JBSWY3DPEHPK3PXP", RoleId = "1000" },
        },
        Credentials = new CredentialSlots
        {
            Current = new RotatedCredential { Id = OriginalTokenId, Secret = "secret-of-token-0", Name = "made in the UI", IssuedAt = issuedAt },
        },
    };

    public static ConnectionDocument OAuth2(string name, bool publicClient) => new()
    {
        Name = name,
        Kind = ConnectionKind.OAuth2AuthorizationCode,
        Account = MachineWorld.Account,
        OAuth2 = new OAuth2Definition
        {
            ClientId = "client-id",
            ClientSecret = publicClient ? null : "client-secret",
            IsPublicClient = publicClient,
            RedirectUri = "https://func-test.example.net/api/oauth/callback",
            RefreshToken = "refresh-token-0",
        },
    };

    public static ConnectionDocument ClientCredentials(string name, DateTimeOffset certificateExpiresAt) => new()
    {
        Name = name,
        Kind = ConnectionKind.OAuth2ClientCredentials,
        Account = MachineWorld.Account,
        ClientCredentials = new ClientCredentialsDefinition
        {
            ClientId = "client-id",
            RoleId = "1000",
            EntityId = "42",
            CertificateName = "cert-" + name,
        },
        Credentials = new CredentialSlots
        {
            Current = new RotatedCredential { Id = "certificate-0", KeyVersion = "v0", IssuedAt = certificateExpiresAt - TimeSpan.FromDays(365), ExpiresAt = certificateExpiresAt },
        },
    };
}
