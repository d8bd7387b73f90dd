using NetSuite.Auth.OAuth2.Jwt;

namespace TokenRotation.Keys;

/// <summary>A JWT signer whose key stays in Key Vault.</summary>
internal sealed class KeyVaultJwtSigner(KeyVaultSignClient client, string keyName, string keyVersion, string algorithm, string keyId) : IJwtSigner
{
    public string Algorithm { get; } = algorithm;

    public string KeyId { get; } = keyId;

    public async ValueTask<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken) =>
        await client.SignAsync(keyName, keyVersion, Algorithm, data, cancellationToken).ConfigureAwait(false);
}
