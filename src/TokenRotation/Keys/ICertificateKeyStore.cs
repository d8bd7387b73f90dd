using NetSuite.Auth.OAuth2.Jwt;

namespace TokenRotation.Keys;

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
