using System.Security.Cryptography;
using Azure.Security.KeyVault.Certificates;
using NetSuite.Auth.OAuth2.Jwt;

namespace TokenRotation.Keys;

/// <summary>
/// Client-credentials keys as Key Vault certificates in the state vault: EC P-256, NOT exportable, self-signed
/// (NetSuite maps the public certificate; no CA is involved). A Key Vault certificate owns a key of the same name,
/// whose version is read from the certificate's key id; that key version signs assertions through <see cref="KeyVaultSignClient"/>.
/// </summary>
internal sealed class KeyVaultCertificateKeyStore(CertificateClient certificates, KeyVaultSignClient signer) : ICertificateKeyStore
{
    /// <summary>NetSuite silently shortens certificates valid for more than two years.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(730);

    public async Task<CertificateVersion> CreateVersionAsync(string certificateName, string subject, TimeSpan validity, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificateName);
        var months = Math.Clamp((int)Math.Round(Math.Min(validity.TotalDays, MaxValidity.TotalDays) / 30.44), 1, 24);
        var policy = new CertificatePolicy(WellKnownIssuerNames.Self, $"CN={subject}")
        {
            KeyType = CertificateKeyType.Ec,
            KeyCurveName = CertificateKeyCurveName.P256,
            Exportable = false,
            ReuseKey = false,
            ContentType = CertificateContentType.Pem,
            ValidityInMonths = months,
        };
        var operation = await certificates.StartCreateCertificateAsync(certificateName, policy, cancellationToken: cancellationToken).ConfigureAwait(false);
        var created = await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
        var certificate = created.Value;
        var notAfter = certificate.Properties.ExpiresOn
            ?? throw new InvalidDataException($"Key Vault certificate {certificateName} has no expiry.");
        return new CertificateVersion(certificateName, certificate.Properties.Version, PemEncoding.WriteString("CERTIFICATE", certificate.Cer), notAfter)
        {
            KeyVersion = KeyVersionOf(certificateName, certificate.KeyId),
        };
    }

    /// <summary>
    /// The key version from a certificate's key id (<c>{vault}/keys/{name}/{version}</c>). Azure happens to give the
    /// key the certificate's version, but only the key id says which key version signs.
    /// </summary>
    internal static string KeyVersionOf(string certificateName, Uri? keyId)
    {
        var segments = keyId?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (segments.Length != 3 || !string.Equals(segments[0], "keys", StringComparison.OrdinalIgnoreCase)
            || !string.Equals(segments[1], certificateName, StringComparison.OrdinalIgnoreCase) || segments[2].Length == 0)
        {
            throw new InvalidDataException(
                $"Key Vault certificate {certificateName} has no usable key id ('{keyId}'); expected {{vault}}/keys/{certificateName}/{{version}}.");
        }

        return Uri.UnescapeDataString(segments[2]);
    }

    public IJwtSigner CreateSigner(string certificateName, string version, string algorithm, string keyId) =>
        new KeyVaultJwtSigner(signer, certificateName, version, algorithm, keyId);
}
