using System.Security.Cryptography;
using TokenRotation.Stores;

namespace TokenRotation.Consent;

/// <summary>
/// The service's own random keys (architecture section 7): one signs consent links, one encrypts PKCE verifiers. Each is
/// rotatable with an overlap: the newest version signs or encrypts, the previous one still verifies or decrypts.
/// </summary>
public interface IServiceKeyStore
{
    /// <summary>
    /// The key's current and previous versions, creating the key on first use. A cached ring may be returned; pass
    /// <paramref name="refresh"/> to read the store again (for example when a value made elsewhere does not verify).
    /// </summary>
    Task<ServiceKeyRing> GetAsync(string keyName, bool refresh = false, CancellationToken cancellationToken = default);

    /// <summary>Adds a new version, which signs or encrypts from now on; the one before it keeps verifying or decrypting.</summary>
    Task<ServiceKeyRing> RotateAsync(string keyName, CancellationToken cancellationToken = default);
}

/// <summary>Names of the service keys, as state-vault secrets (kind prefix <c>key-</c>, architecture section 3).</summary>
public static class ServiceKeyNames
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

/// <summary>One version of a service key. The material is secret: <see cref="ToString"/> leaves it out.</summary>
public sealed class ServiceKey
{
    private readonly byte[] _material;

    public ServiceKey(string version, byte[] material)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(material);
        if (material.Length != ServiceKeyNames.KeySize)
        {
            throw new ArgumentException($"A service key has {ServiceKeyNames.KeySize} bytes; version {version} has {material.Length}.", nameof(material));
        }

        Version = version;
        _material = material.ToArray();
    }

    public string Version { get; }

    /// <summary>The key bytes (a copy-free view; do not keep it).</summary>
    public ReadOnlySpan<byte> Material => _material;

    public override string ToString() => $"service key version {Version}";
}

/// <summary>The usable versions of one key, newest first: <see cref="Current"/> signs, all of them verify.</summary>
public sealed class ServiceKeyRing
{
    public ServiceKeyRing(string name, IReadOnlyList<ServiceKey> keys)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException($"The service key {name} has no usable version.", nameof(keys));
        }

        Name = name;
        Keys = keys;
    }

    public string Name { get; }

    /// <summary>The newest usable version: it signs and encrypts.</summary>
    public ServiceKey Current => Keys[0];

    /// <summary>The previous usable version, which still verifies and decrypts; null right after creation.</summary>
    public ServiceKey? Previous => Keys.Count > 1 ? Keys[1] : null;

    /// <summary>Current first, then previous.</summary>
    public IReadOnlyList<ServiceKey> Keys { get; }

    public override string ToString() => $"{Name}: {string.Join(", ", Keys.Select(k => k.Version))}";
}
