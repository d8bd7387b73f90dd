using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Keys;

/// <summary>A new version of a connection's certificate: what to upload to NetSuite and which key version signs.</summary>
public sealed record CertificateVersion(string CertificateName, string Version, string CertificatePem, DateTimeOffset NotAfter)
{
    /// <summary>
    /// The version of the key that signs for this certificate: in Key Vault the last segment of the certificate's
    /// <c>kid</c>, which need not equal <see cref="Version"/>. Locally the same as <see cref="Version"/>.
    /// </summary>
    public string KeyVersion { get; init; } = Version;

    public override string ToString() => $"certificate {CertificateName}/{Version} (until {NotAfter:u})";
}

/// <summary>
/// Where client-credentials keys live. In Azure: Key Vault certificates in the state vault, non-exportable EC P-256
/// keys that sign remotely. Locally (the demo): PEM files. A new version never becomes what we sign with until the
/// rotation promotes it, because signing always names an explicit version.
/// </summary>
public interface ICertificateKeyStore
{
    /// <summary>Creates a new key pair and self-signed certificate as a new version of <paramref name="certificateName"/>.</summary>
    Task<CertificateVersion> CreateVersionAsync(string certificateName, string subject, TimeSpan validity, CancellationToken cancellationToken = default);

    /// <summary>A signer for one explicit version.</summary>
    IJwtSigner CreateSigner(string certificateName, string version, string algorithm, string keyId);
}

/// <summary>The engine's <see cref="IAssertionSignerFactory"/> over an <see cref="ICertificateKeyStore"/>.</summary>
public sealed class CertificateAssertionSigners(ICertificateKeyStore keys) : IAssertionSignerFactory
{
    public Task<IJwtSigner> CreateAsync(ConnectionDocument connection, RotatedCredential certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(certificate);
        var cc = connection.ClientCredentials ?? throw new InvalidDataException($"Connection {connection.Name} has no clientCredentials section.");
        var version = certificate.KeyVersion ?? throw new InvalidDataException($"Connection {connection.Name}: certificate {certificate.Id} has no key version to sign with.");
        return Task.FromResult(keys.CreateSigner(cc.CertificateName, version, cc.Algorithm, certificate.Id));
    }
}

/// <summary>A JWT signer whose key stays in Key Vault.</summary>
public sealed class KeyVaultJwtSigner(KeyVaultSignClient client, string keyName, string keyVersion, string algorithm, string keyId) : IJwtSigner
{
    public string Algorithm { get; } = algorithm;

    public string KeyId { get; } = keyId;

    public async ValueTask<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken) =>
        await client.SignAsync(keyName, keyVersion, Algorithm, data, cancellationToken).ConfigureAwait(false);
}
