using System.Security.Cryptography;
using System.Text;
using NetSuite.Auth.Tba;

namespace NetSuite.Auth.Tests.Tba;

public sealed class TotpTests
{
    // RFC 6238 appendix B: seeds are the ASCII digits "1234567890" repeated to 20, 32 and 64 bytes.
    private static readonly byte[] Sha1Seed = Encoding.ASCII.GetBytes("12345678901234567890");
    private static readonly byte[] Sha256Seed = Encoding.ASCII.GetBytes("12345678901234567890123456789012");
    private static readonly byte[] Sha512Seed = Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890123456789012345678901234");

    [Theory]
    [InlineData(59L, "94287082", "46119246", "90693936")]
    [InlineData(1111111109L, "07081804", "68084774", "25091201")]
    [InlineData(1111111111L, "14050471", "67062674", "99943326")]
    [InlineData(1234567890L, "89005924", "91819424", "93441116")]
    [InlineData(2000000000L, "69279037", "90698825", "38618901")]
    [InlineData(20000000000L, "65353130", "77737706", "47863826")]
    public void RFC_6238_appendix_B_vectors_with_8_digits(long unixSeconds, string sha1, string sha256, string sha512)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

        Assert.Equal(sha1, Totp.Compute(Sha1Seed, time, 8, HashAlgorithmName.SHA1));
        Assert.Equal(sha256, Totp.Compute(Sha256Seed, time, 8, HashAlgorithmName.SHA256));
        Assert.Equal(sha512, Totp.Compute(Sha512Seed, time, 8, HashAlgorithmName.SHA512));
    }

    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1111111111L, "050471")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    [InlineData(20000000000L, "353130")]
    public void RFC_6238_SHA1_vectors_truncated_to_6_digits_as_NetSuite_uses_them(long unixSeconds, string expected)
    {
        Assert.Equal(expected, Totp.Compute(Sha1Seed, DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));
    }

    [Fact]
    public void Base32_secret_as_shown_beside_the_QR_code_gives_the_same_codes()
    {
        // Base32 of "12345678901234567890", written in groups and lowercase as authenticator set-up pages show it.
        const string secret = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";

        Assert.Equal(Sha1Seed, Totp.DecodeBase32(secret));
        Assert.Equal("287082", Totp.Compute(secret, DateTimeOffset.FromUnixTimeSeconds(59)));
        Assert.Equal(Encoding.ASCII.GetBytes("f"), Totp.DecodeBase32("MY======"));
        Assert.Equal(Encoding.ASCII.GetBytes("foobar"), Totp.DecodeBase32("MZXW6-YTBOI"));
    }

    [Fact]
    public void Invalid_Base32_is_refused_without_echoing_the_secret()
    {
        var error = Assert.Throws<FormatException>(() => Totp.DecodeBase32("SECRET1SECRET"));

        Assert.DoesNotContain("SECRET1SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_is_stable_within_a_30_second_step_and_changes_at_the_boundary()
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(1111111110); // a multiple of 30

        Assert.Equal(Totp.Compute(Sha1Seed, start), Totp.Compute(Sha1Seed, start.AddSeconds(29)));
        Assert.NotEqual(Totp.Compute(Sha1Seed, start), Totp.Compute(Sha1Seed, start.AddSeconds(30)));
        Assert.Equal(37037037L, Totp.GetTimeStep(start));
        Assert.Equal(TimeSpan.FromSeconds(30), Totp.TimeUntilNextStep(start));
        Assert.Equal(TimeSpan.FromSeconds(1), Totp.TimeUntilNextStep(start.AddSeconds(29)));
        Assert.Equal(TimeSpan.FromSeconds(5), Totp.TimeUntilNextStep(start.AddSeconds(5), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Invalid_arguments_are_refused()
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(59);

        Assert.Throws<ArgumentOutOfRangeException>(() => Totp.Compute(Sha1Seed, time, digits: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Totp.Compute(Sha1Seed, time, digits: 10));
        Assert.Throws<ArgumentException>(() => Totp.Compute(ReadOnlySpan<byte>.Empty, time));
        Assert.Throws<ArgumentException>(() => Totp.Compute(Sha1Seed, time, algorithm: HashAlgorithmName.MD5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Totp.GetTimeStep(time, TimeSpan.FromMilliseconds(10)));
    }
}
