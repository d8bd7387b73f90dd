using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using NetSuite.Auth.OAuth2;

namespace NetSuite.Auth.Tests.OAuth2;

public class PkceTests
{
    // NetSuite topic 1.1: Oracle's Step Two verifier and Step One challenge, verified locally.
    private const string OracleVerifier =
        "abFOm_isZAwm7PpI9BtJRMEuiMqhU6sUqZlVWSsAAf1QutgIOD~on78mu-JdpbKc_RA7IEcf2e~q0XrKlJ1tE.8Un64PXLKQG16G4lwW-a5de_0aeU2mHnyVPg.Or8cE";

    private const string OracleChallenge = "Who5QBshz2Mu1Mq6GuAknYA5TnjA-0z7VhAgLloec1s";

    [Fact]
    public void Challenge_of_Oracle_verifier_is_Oracle_challenge()
    {
        Assert.Equal(128, OracleVerifier.Length);
        Assert.Equal(OracleChallenge, Pkce.ComputeChallenge(OracleVerifier));
    }

    [Fact]
    public void FromVerifier_pairs_Oracle_verifier_with_its_challenge()
    {
        var pair = Pkce.FromVerifier(OracleVerifier);

        Assert.Equal(OracleVerifier, pair.CodeVerifier);
        Assert.Equal(OracleChallenge, pair.CodeChallenge);
        Assert.Equal("S256", pair.CodeChallengeMethod);
    }

    [Theory]
    [InlineData(43)]
    [InlineData(64)]
    [InlineData(128)]
    public void Create_makes_a_valid_verifier_of_the_requested_length_and_its_S256_challenge(int length)
    {
        var pair = Pkce.Create(length);

        Assert.Equal(length, pair.CodeVerifier.Length);
        Assert.Matches("^[A-Za-z0-9._~-]+$", pair.CodeVerifier);
        Assert.True(Pkce.IsValidVerifier(pair.CodeVerifier));
        var expected = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(pair.CodeVerifier)));
        Assert.Equal(expected, pair.CodeChallenge);
    }

    [Fact]
    public void Create_defaults_to_128_characters()
    {
        Assert.Equal(128, Pkce.Create().CodeVerifier.Length);
    }

    [Fact]
    public void Create_makes_a_different_verifier_each_time()
    {
        var verifiers = Enumerable.Range(0, 50).Select(_ => Pkce.Create(43).CodeVerifier).ToHashSet();

        Assert.Equal(50, verifiers.Count);
    }

    [Fact]
    public void Create_uses_every_kind_of_allowed_character()
    {
        // 200 verifiers of 128 chars: each of the 66 characters is missing with probability ~e^-388.
        var seen = string.Concat(Enumerable.Range(0, 200).Select(_ => Pkce.Create().CodeVerifier)).ToHashSet();

        Assert.Equal(66, seen.Count);
    }

    [Theory]
    [InlineData(42)]
    [InlineData(129)]
    [InlineData(0)]
    public void Create_rejects_lengths_outside_43_to_128(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pkce.Create(length));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefghijklmnop", false)] // 42
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq", true)] // 43
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefghijklmnop+", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefghijklmnop ", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopé", false)]
    public void IsValidVerifier_checks_length_and_alphabet(string? verifier, bool valid)
    {
        Assert.Equal(valid, Pkce.IsValidVerifier(verifier));
    }

    [Fact]
    public void ComputeChallenge_rejects_invalid_verifier_without_echoing_it()
    {
        var secret = "short-secret-verifier";

        var ex = Assert.Throws<ArgumentException>(() => Pkce.ComputeChallenge(secret));

        Assert.Contains("code_verifier", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
        Assert.Equal("codeVerifier", ex.ParamName);
    }

    [Fact]
    public void ComputeChallenge_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => Pkce.ComputeChallenge(null!));
    }

    [Fact]
    public void ToString_shows_the_challenge_but_not_the_verifier()
    {
        var pair = Pkce.FromVerifier(OracleVerifier);

        var text = pair.ToString();

        Assert.Contains(OracleChallenge, text, StringComparison.Ordinal);
        Assert.DoesNotContain(OracleVerifier, text, StringComparison.Ordinal);
        Assert.Contains("***", text, StringComparison.Ordinal);
    }
}
