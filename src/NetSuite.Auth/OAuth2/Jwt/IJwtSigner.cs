namespace NetSuite.Auth.OAuth2.Jwt;

/// <summary>
/// Signs the JWS signing input of a client assertion. Local keys use <see cref="EcdsaJwtSigner"/> or
/// <see cref="RsaPssJwtSigner"/>; a remote signer (for example Key Vault's sign operation) implements this
/// interface so the private key never leaves its store.
/// </summary>
public interface IJwtSigner
{
    /// <summary>The JWS algorithm (<c>alg</c>): ES256, ES384, ES512, PS256, PS384 or PS512.</summary>
    string Algorithm { get; }

    /// <summary>The key id (<c>kid</c>): the NetSuite certificate id of the mapped certificate.</summary>
    string KeyId { get; }

    /// <summary>Signs <paramref name="data"/> (ASCII of <c>base64url(header).base64url(payload)</c>).</summary>
    /// <param name="data">The bytes to sign; the signer hashes them with the algorithm's hash.</param>
    /// <param name="cancellationToken">Cancels a remote signing call.</param>
    /// <returns>The JWS signature: for ECDSA the raw <c>r||s</c> (IEEE P1363), for RSA-PSS the PSS signature.</returns>
    ValueTask<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken);
}

/// <summary>The JWS algorithms NetSuite accepts for client assertions (NetSuite topic 2.2).</summary>
public static class JwtAlgorithms
{
    /// <summary>ECDSA P-256 with SHA-256 (the default).</summary>
    public const string ES256 = "ES256";

    /// <summary>ECDSA P-384 with SHA-384.</summary>
    public const string ES384 = "ES384";

    /// <summary>ECDSA P-521 with SHA-512.</summary>
    public const string ES512 = "ES512";

    /// <summary>RSASSA-PSS with SHA-256.</summary>
    public const string PS256 = "PS256";

    /// <summary>RSASSA-PSS with SHA-384.</summary>
    public const string PS384 = "PS384";

    /// <summary>RSASSA-PSS with SHA-512.</summary>
    public const string PS512 = "PS512";

    /// <summary>Whether NetSuite accepts <paramref name="algorithm"/> for a client assertion (RS256 is no longer accepted).</summary>
    /// <param name="algorithm">The <c>alg</c> value.</param>
    public static bool IsSupported(string? algorithm) => algorithm is ES256 or ES384 or ES512 or PS256 or PS384 or PS512;
}
