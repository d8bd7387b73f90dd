using System.Security.Cryptography;

namespace NetSuite.Auth.Tba;

/// <summary>Makes OAuth 1.0a nonces. Replace it in tests to make signatures reproducible.</summary>
public interface ITbaNonceSource
{
    /// <summary>Returns a new nonce (NetSuite wants at least 6 characters, ideally 20).</summary>
    /// <returns>The nonce.</returns>
    string NewNonce();
}

/// <summary>20 random alphanumeric characters from a cryptographic random source.</summary>
public sealed class RandomTbaNonceSource : ITbaNonceSource
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <inheritdoc />
    public string NewNonce() => RandomNumberGenerator.GetString(Alphabet, 20);
}
