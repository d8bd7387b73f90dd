using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TokenRotation.Consent;

/// <summary>
/// Encrypts PKCE verifiers for the consent session table with AES-256-GCM under the state vault's
/// <see cref="ServiceKeyNames.VerifierEncryption"/> key, bound to the connection's name (associated data) so a
/// verifier cannot be moved to another connection's session. Format: <c>v1.</c> base64url(nonce | ciphertext | tag).
/// </summary>
public sealed class VerifierProtector(IServiceKeyStore keys)
{
    private const string Prefix = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public async Task<string> ProtectAsync(string verifier, string connection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(verifier);
        ArgumentException.ThrowIfNullOrEmpty(connection);
        var ring = await keys.GetAsync(ServiceKeyNames.VerifierEncryption, cancellationToken: cancellationToken).ConfigureAwait(false);
        var plaintext = Encoding.ASCII.GetBytes(verifier);
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(ring.Current.Material, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), Encoding.UTF8.GetBytes(connection));
        return Prefix + Base64Url.EncodeToString(output);
    }

    /// <summary>The verifier, or null when the value was not made for this connection by a current or previous key.</summary>
    public async Task<string?> UnprotectAsync(string? protectedValue, string connection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connection);
        if (protectedValue is null || !protectedValue.StartsWith(Prefix, StringComparison.Ordinal) || !Base64Url.IsValid(protectedValue.AsSpan(Prefix.Length)))
        {
            return null;
        }

        var data = Base64Url.DecodeFromChars(protectedValue.AsSpan(Prefix.Length));
        if (data.Length <= NonceSize + TagSize)
        {
            return null;
        }

        return Decrypt(await keys.GetAsync(ServiceKeyNames.VerifierEncryption, cancellationToken: cancellationToken).ConfigureAwait(false), data, connection)
            ?? Decrypt(await keys.GetAsync(ServiceKeyNames.VerifierEncryption, refresh: true, cancellationToken).ConfigureAwait(false), data, connection);
    }

    private static string? Decrypt(ServiceKeyRing ring, byte[] data, string connection)
    {
        var length = data.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        foreach (var key in ring.Keys)
        {
            using var aes = new AesGcm(key.Material, TagSize);
            try
            {
                aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize, length), data.AsSpan(NonceSize + length), plaintext, Encoding.UTF8.GetBytes(connection));
                return Encoding.ASCII.GetString(plaintext);
            }
            catch (AuthenticationTagMismatchException)
            {
                // Another key version, or not ours.
            }
        }

        return null;
    }
}
