using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Stores;

namespace TokenRotation.Keys;

/// <summary>
/// Local keys for running without Azure (the CLI demo): one PEM key and certificate per version in a folder. The
/// private key is on disk here (owner-only from the first byte, <see cref="OwnerOnlyFiles"/>), which is why production
/// uses <see cref="KeyVaultCertificateKeyStore"/>.
/// </summary>
internal sealed class FileCertificateKeyStore(string folder, TimeProvider time) : ICertificateKeyStore
{
    public Task<CertificateVersion> CreateVersionAsync(string certificateName, string subject, TimeSpan validity, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificateName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var now = time.GetUtcNow();
        var notAfter = now + (validity > KeyVaultCertificateKeyStore.MaxValidity ? KeyVaultCertificateKeyStore.MaxValidity : validity);
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), notAfter);
        var version = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var directory = Path.Combine(folder, certificateName);
        OwnerOnlyFiles.CreateFolder(directory);
        var pem = certificate.ExportCertificatePem();
        OwnerOnlyFiles.WriteAllText(Path.Combine(directory, version + ".key.pem"), key.ExportPkcs8PrivateKeyPem());
        OwnerOnlyFiles.WriteAllText(Path.Combine(directory, version + ".cer.pem"), pem);
        return Task.FromResult(new CertificateVersion(certificateName, version, pem, notAfter));
    }

    public IJwtSigner CreateSigner(string certificateName, string version, string algorithm, string keyId)
    {
        var path = Path.Combine(folder, certificateName, version + ".key.pem");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"No local key for certificate {certificateName} version {version} in {folder}.");
        }

        return EcdsaJwtSigner.FromPem(File.ReadAllText(path), keyId);
    }
}
