using System.Security.Cryptography;

namespace NetSuite.Auth.OAuth2.Jwt;

/// <summary>
/// Signs with a local RSA key using RSASSA-PSS (PS256, PS384, PS512; salt length = hash length as RFC 7518 requires).
/// NetSuite accepts RSA certificates of 3072 or 4096 bits; keys under 2048 bits are refused here.
/// </summary>
public sealed class RsaPssJwtSigner : IJwtSigner, IDisposable
{
    /// <summary>The smallest RSA key this signer accepts.</summary>
    public const int MinKeySize = 2048;

    private readonly RSA _key;
    private readonly bool _ownsKey;
    private readonly HashAlgorithmName _hash;

    /// <summary>Creates a signer over <paramref name="key"/>; the caller keeps ownership of the key.</summary>
    /// <param name="key">The private key.</param>
    /// <param name="keyId">The NetSuite certificate id (<c>kid</c>).</param>
    /// <param name="algorithm">PS256 (default), PS384 or PS512.</param>
    /// <exception cref="ArgumentException">The algorithm is not PS256/PS384/PS512, the key is under 2048 bits, or <paramref name="keyId"/> is empty.</exception>
    public RsaPssJwtSigner(RSA key, string keyId, string algorithm = JwtAlgorithms.PS256)
        : this(key, keyId, algorithm, ownsKey: false)
    {
    }

    private RsaPssJwtSigner(RSA key, string keyId, string algorithm, bool ownsKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        _hash = algorithm switch
        {
            JwtAlgorithms.PS256 => HashAlgorithmName.SHA256,
            JwtAlgorithms.PS384 => HashAlgorithmName.SHA384,
            JwtAlgorithms.PS512 => HashAlgorithmName.SHA512,
            _ => throw new ArgumentException($"An RSA client-assertion signer supports PS256, PS384 or PS512, not '{algorithm}'.", nameof(algorithm)),
        };
        if (key.KeySize < MinKeySize)
        {
            throw new ArgumentException($"The RSA key has {key.KeySize} bits; at least {MinKeySize} are needed (NetSuite accepts 3072 or 4096).", nameof(key));
        }

        _key = key;
        KeyId = keyId;
        Algorithm = algorithm;
        _ownsKey = ownsKey;
    }

    /// <inheritdoc />
    public string Algorithm { get; }

    /// <inheritdoc />
    public string KeyId { get; }

    /// <summary>Creates a signer that owns a key imported from PEM (<c>PRIVATE KEY</c> or <c>RSA PRIVATE KEY</c>).</summary>
    /// <param name="privateKeyPem">The PEM text of the private key.</param>
    /// <param name="keyId">The NetSuite certificate id (<c>kid</c>).</param>
    /// <param name="algorithm">PS256 (default), PS384 or PS512.</param>
    /// <returns>A signer; dispose it to dispose the key.</returns>
    /// <exception cref="ArgumentException">The PEM holds no usable RSA private key; the message does not contain the PEM.</exception>
    public static RsaPssJwtSigner FromPem(string privateKeyPem, string keyId, string algorithm = JwtAlgorithms.PS256) =>
        PemSignerKeys.Create(RSA.Create(), privateKeyPem, "RSA", k => new RsaPssJwtSigner(k, keyId, algorithm, ownsKey: true));

    /// <inheritdoc />
    public ValueTask<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_key.SignData(data, _hash, RSASignaturePadding.Pss));
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
    public override string ToString() => $"RsaPssJwtSigner {{ Algorithm = {Algorithm}, KeyId = {KeyId} }}";
}
