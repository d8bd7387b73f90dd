using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TokenRotation.Consent;

namespace TokenRotation.Engine;

/// <summary>Derived journal keys of one key ring; holds key material, so it is never logged.</summary>
public sealed class SealingKeys
{
    private const string Prefix = "j1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("nstoken token journal v1");
    private readonly byte[][] _keys;

    internal SealingKeys(ServiceKeyRing ring)
    {
        _keys = ring.Keys.Select(k => HKDF.DeriveKey(HashAlgorithmName.SHA256, k.Material.ToArray(), 32, salt: [], info: Label)).ToArray();
    }

    public string Seal(string token, string connection, DateTimeOffset refreshStartedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var plaintext = Encoding.UTF8.GetBytes(token);
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[0], TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), Aad(connection, refreshStartedAt));
        CryptographicOperations.ZeroMemory(plaintext);
        return Prefix + Base64Url.EncodeToString(output);
    }

    /// <summary>The token, or null when the value was not sealed for this connection and refresh by a known key.</summary>
    public string? Open(string sealedValue, string connection, DateTimeOffset refreshStartedAt)
    {
        if (sealedValue is null || !sealedValue.StartsWith(Prefix, StringComparison.Ordinal) || !Base64Url.IsValid(sealedValue.AsSpan(Prefix.Length)))
        {
            return null;
        }

        var data = Base64Url.DecodeFromChars(sealedValue.AsSpan(Prefix.Length));
        if (data.Length <= NonceSize + TagSize)
        {
            return null;
        }

        var length = data.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        foreach (var key in _keys)
        {
            using var aes = new AesGcm(key, TagSize);
            try
            {
                aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize, length), data.AsSpan(NonceSize + length), plaintext, Aad(connection, refreshStartedAt));
                return Encoding.UTF8.GetString(plaintext);
            }
            catch (AuthenticationTagMismatchException)
            {
                // Another key version, or not sealed for this connection and refresh.
            }
        }

        return null;
    }

    public override string ToString() => $"token journal keys ({_keys.Length} version(s))";

    private static byte[] Aad(string connection, DateTimeOffset refreshStartedAt) =>
        Encoding.UTF8.GetBytes($"token-journal|{connection}|{refreshStartedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}");
}
