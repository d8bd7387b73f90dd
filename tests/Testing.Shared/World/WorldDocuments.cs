using System.Globalization;
using NetSuite.Auth.OAuth2;
using NetSuite.Simulator;
using TokenRotation.Connections;

namespace Testing.Shared;

/// <summary>
/// The connection documents of the test worlds, one builder per credential kind, around credentials the simulator
/// issued. <see cref="TestWorld"/> issues the credentials and calls these; a world without an engine (the CLI tests)
/// can call them with its own account.
/// </summary>
public static class WorldDocuments
{
    /// <summary>A TBA connection around a token made in NetSuite's UI; <paramref name="pinRole"/> also pins the expected role.</summary>
    public static ConnectionDocument Tba(string name, WorldAccount account, SimIntegration integration, IssuedTbaToken token, DateTimeOffset issuedAt, bool pinRole = false)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(token);
        return new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.Tba,
            Account = account.Id,
            Tba = new TbaDefinition
            {
                ConsumerKey = integration.ConsumerKey,
                ConsumerSecret = integration.ConsumerSecret,
                User = new RotationUser { Email = account.UserEmail, Password = account.UserPassword, TotpSecret = account.TotpSecret, RoleId = account.IntegrationRoleId },
                ExpectedRoleId = pinRole ? account.IntegrationRoleId : null,
            },
            Credentials = new CredentialSlots { Current = new RotatedCredential { Id = token.TokenId, Secret = token.TokenSecret, Name = token.Name, IssuedAt = issuedAt } },
        };
    }

    /// <summary>
    /// An OAuth 2.0 authorization-code connection whose first consent already happened (the simulator issued
    /// <paramref name="tokens"/>): refresh token facts read from the token, role and entity pinned as a consent pins them.
    /// </summary>
    public static ConnectionDocument ConsentedOAuth2(string name, WorldAccount account, SimIntegration integration, IssuedOAuth2Tokens tokens, string redirectUri, DateTimeOffset consentedAt, bool publicClient = false)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(tokens);
        var facts = NetSuiteTokenFacts.Read(tokens.RefreshToken);
        return new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = account.Id,
            Status = ConnectionStatus.Healthy,
            OAuth2 = new OAuth2Definition
            {
                ClientId = integration.ClientId,
                ClientSecret = publicClient ? null : integration.ClientSecret,
                IsPublicClient = publicClient,
                RedirectUri = redirectUri,
                RefreshToken = tokens.RefreshToken,
                RefreshTokenExpiresAt = facts.ExpiresAt,
                RefreshTokenIssuedAt = facts.IssuedAt,
                ChainEndsAt = publicClient ? facts.OriginalIssuedAt + TimeSpan.FromHours(integration.MaxTokenRotationHours) : null,
                ConsentedAt = consentedAt,
                ExpectedRoleId = account.IntegrationRoleId,
                ExpectedEntityId = facts.EntityId,
            },
        };
    }

    /// <summary>An OAuth 2.0 authorization-code connection as imported, before any consent; optionally pinned to a role.</summary>
    public static ConnectionDocument OAuth2Import(string name, WorldAccount account, SimIntegration integration, string redirectUri, string? expectedRole = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(integration);
        return new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = account.Id,
            OAuth2 = new OAuth2Definition
            {
                ClientId = integration.ClientId,
                ClientSecret = integration.PublicClient ? null : integration.ClientSecret,
                IsPublicClient = integration.PublicClient,
                RedirectUri = redirectUri,
                ExpectedRoleId = expectedRole,
            },
        };
    }

    /// <summary>
    /// A client-credentials connection around a key the key store made (<paramref name="keyVersion"/>) whose
    /// certificate NetSuite mapped as <paramref name="certificateId"/>, for the user's <paramref name="roleId"/>.
    /// </summary>
    public static ConnectionDocument ClientCredentials(
        string name, WorldAccount account, SimIntegration integration, int entityId, string certificateName, string certificateId, string keyVersion,
        DateTimeOffset issuedAt, DateTimeOffset expiresAt, int? roleId = null, string? credentialName = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(integration);
        return new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2ClientCredentials,
            Account = account.Id,
            ClientCredentials = new ClientCredentialsDefinition
            {
                ClientId = integration.ClientId,
                RoleId = (roleId ?? account.IntegrationRole).ToString(CultureInfo.InvariantCulture),
                EntityId = entityId.ToString(CultureInfo.InvariantCulture),
                CertificateName = certificateName,
            },
            Credentials = new CredentialSlots
            {
                Current = new RotatedCredential { Id = certificateId, KeyVersion = keyVersion, Name = credentialName, IssuedAt = issuedAt, ExpiresAt = expiresAt },
            },
        };
    }
}
