using System.Security.Cryptography;

namespace NetSuite.Auth.OAuth2.Jwt;

/// <summary>Signs with a local ECDSA key (ES256 on P-256, ES384 on P-384, ES512 on P-521); signatures are raw <c>r||s</c> as JWS requires.</summary>
public sealed class EcdsaJwtSigner : IJwtSigner, IDisposable
{
    private readonly ECDsa _key;
    private readonly bool _ownsKey;
    private readonly HashAlgorithmName _hash;

    /// <summary>Creates a signer over <paramref name="key"/>; the caller keeps ownership of the key.</summary>
    /// <param name="key">The private key.</param>
    /// <param name="keyId">The NetSuite certificate id (<c>kid</c>).</param>
    /// <exception cref="ArgumentException">The key is not on P-256, P-384 or P-521, or <paramref name="keyId"/> is empty.</exception>
    public EcdsaJwtSigner(ECDsa key, string keyId)
        : this(key, keyId, ownsKey: false)
    {
    }

    private EcdsaJwtSigner(ECDsa key, string keyId, bool ownsKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        // JWS ties each algorithm to one curve (RFC 7518 3.4); the key size alone would let secp256k1 pass as ES256.
        (Algorithm, _hash) = key.ExportParameters(includePrivateParameters: false).Curve.Oid?.Value switch
        {
            "1.2.840.10045.3.1.7" => (JwtAlgorithms.ES256, HashAlgorithmName.SHA256),
            "1.3.132.0.34" => (JwtAlgorithms.ES384, HashAlgorithmName.SHA384),
            "1.3.132.0.35" => (JwtAlgorithms.ES512, HashAlgorithmName.SHA512),
            var other => throw new ArgumentException(
                $"An ECDSA client-assertion key must be on P-256, P-384 or P-521; this one is {(other is null ? "a curve with explicit parameters" : "on curve " + other)}.", nameof(key)),
        };
        _key = key;
        KeyId = keyId;
        _ownsKey = ownsKey;
    }

    /// <inheritdoc />
    public string Algorithm { get; }

    /// <inheritdoc />
    public string KeyId { get; }

    /// <summary>Creates a signer that owns a key imported from PEM (<c>PRIVATE KEY</c> or <c>EC PRIVATE KEY</c>).</summary>
    /// <param name="privateKeyPem">The PEM text of the private key.</param>
    /// <param name="keyId">The NetSuite certificate id (<c>kid</c>).</param>
    /// <returns>A signer; dispose it to dispose the key.</returns>
    /// <exception cref="ArgumentException">The PEM holds no usable EC private key; the message does not contain the PEM.</exception>
    public static EcdsaJwtSigner FromPem(string privateKeyPem, string keyId) =>
        PemSignerKeys.Create(ECDsa.Create(), privateKeyPem, "EC", k => new EcdsaJwtSigner(k, keyId, ownsKey: true));

    /// <inheritdoc />
    public ValueTask<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_key.SignData(data, _hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    /// <summary>Disposes the key when this signer imported it (<see cref="FromPem"/>).</summary>
    public void Dispose()
    {
        if (_ownsKey)
        {
            _key.Dispose();
        }
    }

    /// <summary>Describes the signer without key material.</summary>
    public override string ToString() => $"EcdsaJwtSigner {{ Algorithm = {Algorithm}, KeyId = {KeyId} }}";
}
