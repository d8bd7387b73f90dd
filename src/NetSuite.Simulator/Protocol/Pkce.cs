using System.Security.Cryptography;
using System.Text;

namespace NetSuite.Simulator.Protocol;

/// <summary>RFC 7636 S256 (NetSuite topic 1.1: NetSuite refuses <c>plain</c> since 2020.2).</summary>
public static class Pkce
{
    /// <summary>BASE64URL(SHA256(ASCII(verifier))).</summary>
    public static string S256(string verifier) => Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>43–128 characters of <c>[A-Za-z0-9-._~]</c>.</summary>
    public static bool IsValidVerifier(string? verifier) =>
        verifier is { Length: >= 43 and <= 128 } && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>A S256 challenge is 43 Base64url characters.</summary>
    public static bool IsWellFormedChallenge(string? challenge) =>
        challenge is { Length: 43 } && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
