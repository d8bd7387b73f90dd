using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Keys;

namespace TokenRotation.Kinds.ClientCredentials;

/// <summary>
/// Bootstrap of a client-credentials connection, and the way off TBA (issue 8): the key pair is created where it
/// will live (Key Vault in Azure, never exported), the person maps the public certificate in NetSuite's M2M set-up
/// page, and the connection is completed with the certificate id NetSuite shows; it is verified by minting a token.
/// </summary>
public sealed class ClientCredentialsSetup(ICertificateKeyStore keys, ConnectionImport imports, ConnectionProcessor processor, Stores.IConnectionStore store, TimeProvider time)
{
    /// <summary>Step 1: a fresh key pair and the certificate to upload (a key is never reused across connections).</summary>
    public async Task<CertificateToMap> CreateKeyAsync(ConnectionName name, string? roleId, string? entityId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var certificateName = Stores.SecretNames.Certificate(name);
        var version = await keys.CreateVersionAsync(certificateName, $"nstoken {name}", CertificateRotationOperations.Validity, cancellationToken).ConfigureAwait(false);
        return new CertificateToMap(name.Value, certificateName, version.KeyVersion, version.CertificatePem, version.NotAfter, roleId, entityId);
    }

    /// <summary>
    /// The way off TBA, step 1: the key for a client-credentials connection beside a TBA connection, for the same
    /// account, role and entity (read from the TBA connection, which learnt them from tokeninfo).
    /// </summary>
    public async Task<(CertificateToMap Certificate, ConnectionDocument Tba)> PrepareMigrationAsync(ConnectionName tbaName, ConnectionName newName, CancellationToken cancellationToken = default)
    {
        var tba = await store.GetAsync(tbaName, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No connection named {tbaName}.");
        if (tba.Kind != ConnectionKind.Tba || tba.Tba is null)
        {
            throw new InvalidOperationException($"{tbaName} is a {tba.Kind} connection; only TBA connections are migrated.");
        }

        var certificate = await CreateKeyAsync(newName, tba.Tba.ExpectedRoleId ?? tba.Tba.User.RoleId, tba.Tba.ExpectedEntityId, cancellationToken).ConfigureAwait(false);
        return (certificate, tba);
    }

    /// <summary>Step 2: imports the connection with NetSuite's certificate id, then mints once to verify and publish.</summary>
    public async Task<ConnectionOutcome> CompleteAsync(
        ConnectionName name, string account, string clientId, string roleId, string entityId, CertificateToMap certificate, string certificateId,
        IReadOnlyList<string>? scopes, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var document = new ConnectionDocument
        {
            Name = name.Value,
            Kind = ConnectionKind.OAuth2ClientCredentials,
            Account = account,
            ClientCredentials = new ClientCredentialsDefinition
            {
                ClientId = clientId,
                RoleId = roleId,
                EntityId = entityId,
                CertificateName = certificate.CertificateName,
                Scopes = scopes?.ToList() ?? ["rest_webservices"],
            },
            Credentials = new CredentialSlots
            {
                Current = new RotatedCredential { Id = certificateId, KeyVersion = certificate.KeyVersion, IssuedAt = time.GetUtcNow(), ExpiresAt = certificate.NotAfter },
            },
        };
        var imported = await imports.ImportAsync(document, dryRun, cancellationToken).ConfigureAwait(false);
        if (dryRun || imported.Kind != OutcomeKind.Succeeded)
        {
            return imported;
        }

        var minted = await processor.RunAsync(name, new RunRequest { Now = true, Trigger = "setup" }, cancellationToken).ConfigureAwait(false);
        return minted with { Message = $"{imported.Message}; {minted.Message}" };
    }
}
