using System.Security.Cryptography;
using System.Text;
using TokenRotation.Connections;
using TokenRotation.Consent;

namespace TokenRotation.Engine;

/// <summary>
/// Keyed fingerprints of credentials: HMAC-SHA256 of what identifies a credential in NetSuite (kind, account, token or
/// certificate id; <see cref="CredentialConflicts"/>) with a key derived (HKDF-SHA256, its own label) from the service's
/// verifier-encryption key, so that no new secret is created. A fingerprint names the lease that makes two imports of the
/// same credential take turns; it holds no secret and no token id, and cannot be recomputed without the key.
/// </summary>
internal sealed class CredentialFingerprints(IServiceKeyStore keys)
{
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("nstoken credential fingerprint v1");

    /// <summary>The lease key of the document's current credential; null when the kind has no credential to claim.</summary>
    public async Task<string?> LeaseKeyAsync(ConnectionDocument document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (CredentialConflicts.Identity(document, document.Credentials.Current) is not { } identity)
        {
            return null;
        }

        // The oldest usable version: two holders whose cached rings differ during a key rotation still agree on it.
        var ring = await keys.GetAsync(ServiceKeyNames.VerifierEncryption, cancellationToken: cancellationToken).ConfigureAwait(false);
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, ring.Keys[^1].Material.ToArray(), 32, salt: [], info: Label);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(identity));
        CryptographicOperations.ZeroMemory(key);
        return "credential-" + Convert.ToHexStringLower(mac.AsSpan(0, 20));
    }
}
