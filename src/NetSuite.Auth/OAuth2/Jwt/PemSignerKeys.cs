using System.Security.Cryptography;

namespace NetSuite.Auth.OAuth2.Jwt;

/// <summary>What the PEM-based signers share: importing a private key and handing it to a signer that owns it.</summary>
internal static class PemSignerKeys
{
    /// <summary>
    /// Imports <paramref name="privateKeyPem"/> into <paramref name="key"/> and creates the signer. The key is disposed
    /// on any failure; error messages name the key type and the exception type, never the PEM.
    /// </summary>
    public static TSigner Create<TKey, TSigner>(TKey key, string privateKeyPem, string keyType, Func<TKey, TSigner> signer)
        where TKey : AsymmetricAlgorithm
    {
        try
        {
            ArgumentNullException.ThrowIfNull(privateKeyPem);
            if (!privateKeyPem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                throw new ArgumentException("The PEM holds no private key (no PRIVATE KEY block).", nameof(privateKeyPem));
            }

            try
            {
                key.ImportFromPem(privateKeyPem);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                throw new ArgumentException($"The PEM does not hold a usable {keyType} private key ({ex.GetType().Name}).", nameof(privateKeyPem));
            }

            return signer(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
