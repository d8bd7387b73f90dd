using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Keys;

namespace Testing.Shared;

/// <summary>Records every certificate version the engine creates in Key Vault.</summary>
internal sealed class RecordingCertificateKeyStore(ICertificateKeyStore inner, SideEffects effects) : ICertificateKeyStore
{
    public async Task<CertificateVersion> CreateVersionAsync(string certificateName, string subject, TimeSpan validity, CancellationToken cancellationToken = default)
    {
        var version = await inner.CreateVersionAsync(certificateName, subject, validity, cancellationToken);
        effects.Happened($"key vault certificate version {certificateName}");
        return version;
    }

    public IJwtSigner CreateSigner(string certificateName, string version, string algorithm, string keyId) =>
        inner.CreateSigner(certificateName, version, algorithm, keyId);
}
