using System.Security.Cryptography;

namespace NetSuite.Auth.Tests.OAuth2;

/// <summary>RSA key generation is slow: generate one 2048-bit key per test run and hand out fresh copies of it.</summary>
internal static class TestKeys
{
    private static readonly Lazy<RSAParameters> Rsa2048 = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportParameters(includePrivateParameters: true);
    });

    public static RSA NewRsa() => RSA.Create(Rsa2048.Value);
}
