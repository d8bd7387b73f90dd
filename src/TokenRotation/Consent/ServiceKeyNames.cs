using System.Security.Cryptography;
using TokenRotation.Stores;

namespace TokenRotation.Consent;

/// <summary>Names of the service keys, as state-vault secrets (kind prefix <c>key-</c>, architecture section 3).</summary>
internal static class ServiceKeyNames
{
    /// <summary>HMAC-SHA256 key of consent links.</summary>
    public const string ConsentSigning = SecretNames.ServiceKeyPrefix + "consent-signing";

    /// <summary>AES-256-GCM key of the PKCE verifiers kept in consent sessions.</summary>
    public const string VerifierEncryption = SecretNames.ServiceKeyPrefix + "verifier-encryption";

    /// <summary>Bytes of key material (256 bits).</summary>
    public const int KeySize = 32;

    public static IReadOnlyList<string> All { get; } = [ConsentSigning, VerifierEncryption];

    /// <summary>New random key material.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeySize);
}
