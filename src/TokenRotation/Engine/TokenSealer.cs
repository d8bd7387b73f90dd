using TokenRotation.Consent;

namespace TokenRotation.Engine;

/// <summary>
/// Seals single-use tokens for the token journal with AES-256-GCM. The key is derived (HKDF-SHA256, its own label) from
/// the service's verifier-encryption key, so no new secret has to be created in the state vault, and it is loaded
/// BEFORE the token is asked of NetSuite: when the state vault then refuses writes, sealing needs nothing from it.
/// Associated data binds a sealed value to its connection and to the refresh that produced it.
/// </summary>
public sealed class TokenSealer(IServiceKeyStore keys)
{
    /// <summary>Loads the key ring now (reads, or creates on first use); the result seals and opens without the vault.</summary>
    public async Task<SealingKeys> LoadAsync(CancellationToken cancellationToken = default) =>
        new(await keys.GetAsync(ServiceKeyNames.VerifierEncryption, cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Opens with the ring as stored now (for a replay in a later run).</summary>
    public async Task<string?> OpenAsync(string sealedValue, string connection, DateTimeOffset refreshStartedAt, CancellationToken cancellationToken = default) =>
        (await LoadAsync(cancellationToken).ConfigureAwait(false)).Open(sealedValue, connection, refreshStartedAt)
        ?? new SealingKeys(await keys.GetAsync(ServiceKeyNames.VerifierEncryption, refresh: true, cancellationToken).ConfigureAwait(false))
            .Open(sealedValue, connection, refreshStartedAt);
}
