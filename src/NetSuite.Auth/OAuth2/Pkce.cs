using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace NetSuite.Auth.OAuth2;

/// <summary>
/// A PKCE (RFC 7636) code verifier and its S256 code challenge. The verifier is a secret until the
/// code exchange: it never appears in <see cref="ToString"/>.
/// </summary>
public sealed class PkcePair
{
    internal PkcePair(string codeVerifier, string codeChallenge)
    {
        CodeVerifier = codeVerifier;
        CodeChallenge = codeChallenge;
    }

    /// <summary>The code verifier, sent as <c>code_verifier</c> with the code exchange. Secret.</summary>
    public string CodeVerifier { get; }

    /// <summary>The code challenge, <c>BASE64URL(SHA256(code_verifier))</c> without padding, sent to the authorize endpoint.</summary>
    public string CodeChallenge { get; }

    /// <summary>The challenge method, always <c>S256</c>: NetSuite does not support <c>plain</c> since 2020.2.</summary>
    [SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Part of the pair, so the three authorize parameters come from one object.")]
    public string CodeChallengeMethod => Pkce.ChallengeMethod;

    /// <summary>Describes the pair without the verifier.</summary>
    public override string ToString() => $"PkcePair {{ CodeChallenge = {CodeChallenge}, CodeVerifier = *** }}";
}

/// <summary>PKCE code verifier generation and S256 challenge computation (RFC 7636).</summary>
public static class Pkce
{
    /// <summary>The only challenge method this library sends.</summary>
    public const string ChallengeMethod = "S256";

    /// <summary>The shortest code verifier RFC 7636 and NetSuite accept.</summary>
    public const int MinVerifierLength = 43;

    /// <summary>The longest code verifier RFC 7636 and NetSuite accept.</summary>
    public const int MaxVerifierLength = 128;

    // RFC 7636 section 4.1 unreserved characters: [A-Za-z0-9-._~]
    private const string VerifierAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    private static readonly SearchValues<char> VerifierChars = SearchValues.Create(VerifierAlphabet);
    private static readonly SearchValues<char> Base64UrlChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>Creates a new pair with a cryptographically random verifier of <paramref name="verifierLength"/> characters.</summary>
    /// <param name="verifierLength">The verifier length, 43 to 128; 128 by default (the most entropy).</param>
    /// <exception cref="ArgumentOutOfRangeException">The length is outside 43 to 128.</exception>
    public static PkcePair Create(int verifierLength = MaxVerifierLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(verifierLength, MinVerifierLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(verifierLength, MaxVerifierLength);
        var verifier = RandomNumberGenerator.GetString(VerifierAlphabet, verifierLength);
        return new PkcePair(verifier, ComputeChallenge(verifier));
    }

    /// <summary>Wraps an existing verifier (for example one restored from storage) with its challenge.</summary>
    /// <param name="codeVerifier">The verifier: 43 to 128 characters of <c>[A-Za-z0-9-._~]</c>.</param>
    /// <exception cref="ArgumentException">The verifier is not valid; the message does not contain it.</exception>
    public static PkcePair FromVerifier(string codeVerifier) =>
        new(codeVerifier, ComputeChallenge(codeVerifier));

    /// <summary>Computes the S256 challenge: <c>BASE64URL(SHA256(ASCII(code_verifier)))</c> without padding.</summary>
    /// <param name="codeVerifier">The verifier: 43 to 128 characters of <c>[A-Za-z0-9-._~]</c>.</param>
    /// <exception cref="ArgumentException">The verifier is not valid; the message does not contain it.</exception>
    public static string ComputeChallenge(string codeVerifier)
    {
        EnsureValidVerifier(codeVerifier, nameof(codeVerifier));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier), hash);
        return Base64Url.EncodeToString(hash);
    }

    /// <summary>Whether <paramref name="codeVerifier"/> is 43 to 128 characters of <c>[A-Za-z0-9-._~]</c>.</summary>
    /// <param name="codeVerifier">The candidate verifier.</param>
    public static bool IsValidVerifier(string? codeVerifier) =>
        codeVerifier is { Length: >= MinVerifierLength and <= MaxVerifierLength }
        && codeVerifier.AsSpan().IndexOfAnyExcept(VerifierChars) < 0;

    internal static void EnsureValidVerifier(string? codeVerifier, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(codeVerifier, parameterName);
        if (!IsValidVerifier(codeVerifier))
        {
            // The length is safe to report; the value is a secret.
            throw new ArgumentException(
                $"The PKCE code_verifier must be {MinVerifierLength} to {MaxVerifierLength} characters of [A-Za-z0-9-._~]; the given one has {codeVerifier.Length} characters or contains other characters.",
                parameterName);
        }
    }

    /// <summary>Whether <paramref name="codeChallenge"/> has the shape of an S256 challenge (43 base64url characters).</summary>
    internal static bool IsS256ChallengeShape(string? codeChallenge) =>
        codeChallenge is { Length: 43 }
        && codeChallenge.AsSpan().IndexOfAnyExcept(Base64UrlChars) < 0;
}
