using System.Security.Cryptography;
using System.Text;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Tests;

/// <summary>The simulator's own protocol code against published vectors (NetSuite topic 4.3, RFC 6238, NetSuite topic 1.1).</summary>
public sealed class ProtocolTests
{
    private const string ConsumerKey = "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4";
    private const string ConsumerSecret = "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5";
    private const string TokenId = "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc";
    private const string TokenSecret = "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295";

    private static List<KeyValuePair<string, string>> OracleOAuthParameters() =>
    [
        new("oauth_consumer_key", ConsumerKey),
        new("oauth_nonce", "fjaLirsIcCGVZWzBX0pg"),
        new("oauth_signature_method", "HMAC-SHA256"),
        new("oauth_timestamp", "1508242306"),
        new("oauth_token", TokenId),
        new("oauth_version", "1.0"),
    ];

    [Fact]
    public void OAuth1_base_string_matches_Oracles_RESTlet_example()
    {
        var url = new Uri("https://123456.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=6&deploy=1&customParam=someValue&testParam=someOtherValue");
        var parameters = OracleOAuthParameters();
        parameters.AddRange(PercentEncoding.ParseQuery(url.Query));

        var baseString = OAuth1.BuildBaseString("POST", OAuth1.BaseStringUri(url), parameters);

        Assert.Equal(
            "POST&https%3A%2F%2F123456.restlets.api.netsuite.com%2Fapp%2Fsite%2Fhosting%2Frestlet.nl&customParam%3DsomeValue%26deploy%3D1%26oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4%26oauth_nonce%3DfjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1508242306%26oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc%26oauth_version%3D1.0%26script%3D6%26testParam%3DsomeOtherValue",
            baseString);
        Assert.Equal("+KK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ=", OAuth1.Sign(baseString, ConsumerSecret, TokenSecret));
    }

    [Fact]
    public void OAuth1_signature_matches_Oracles_REST_web_services_example()
    {
        var url = new Uri("https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40");
        var baseString = OAuth1.BuildBaseString("GET", OAuth1.BaseStringUri(url), OracleOAuthParameters());

        Assert.Equal("B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY=", OAuth1.Sign(baseString, ConsumerSecret, TokenSecret));
    }

    [Fact]
    public void OAuth1_header_percent_encodes_the_signature_like_Oracles_header_example()
    {
        var url = new Uri("https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40");
        var header = OAuth1.CreateAuthorizationHeader("GET", url, "123456", ConsumerKey, ConsumerSecret, TokenId, TokenSecret, "fjaLirsIcCGVZWzBX0pg", 1508242306);

        Assert.StartsWith("OAuth realm=\"123456\", ", header, StringComparison.Ordinal);
        Assert.Contains("oauth_signature=\"B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D\"", header, StringComparison.Ordinal);
        Assert.True(OAuth1.TryParseAuthorizationHeader(header, out var values, out _));
        Assert.Equal("B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY=", values["oauth_signature"]);
        Assert.Equal("123456", values["realm"]);
    }

    [Fact]
    public void OAuth1_header_with_a_repeated_parameter_is_rejected()
    {
        Assert.False(OAuth1.TryParseAuthorizationHeader("OAuth realm=\"1\", oauth_nonce=\"abcdefg\", oauth_nonce=\"hijklmn\"", out _, out var reason));
        Assert.Equal("parameter_rejected", reason);
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b=c&d", "a%2Bb%3Dc%26d")]
    [InlineData("-._~AZaz09", "-._~AZaz09")]
    [InlineData("é/", "%C3%A9%2F")]
    public void Percent_encoding_follows_RFC_3986(string raw, string encoded)
    {
        Assert.Equal(encoded, PercentEncoding.Encode(raw));
        Assert.Equal(raw, PercentEncoding.Decode(encoded, plusIsSpace: false));
    }

    [Theory]
    [InlineData(59, "94287082")]
    [InlineData(1111111109, "07081804")]
    [InlineData(1111111111, "14050471")]
    [InlineData(1234567890, "89005924")]
    [InlineData(2000000000, "69279037")]
    [InlineData(20000000000, "65353130")]
    public void Totp_matches_RFC_6238_SHA1_vectors(long unixTime, string expected)
    {
        var key = Encoding.ASCII.GetBytes("12345678901234567890");
        Assert.Equal(expected, Totp.ComputeForStep(key, unixTime / 30, digits: 8));
    }

    [Fact]
    public void Totp_six_digit_code_from_a_Base32_secret_is_the_last_six_digits()
    {
        var secret = Base32.Encode(Encoding.ASCII.GetBytes("12345678901234567890"));
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", secret);
        Assert.Equal("287082", Totp.Compute(secret, DateTimeOffset.FromUnixTimeSeconds(59)));
        Assert.Equal(1L, Totp.MatchStep(secret, "287082", DateTimeOffset.FromUnixTimeSeconds(59 + 30), window: 1));
        Assert.Null(Totp.MatchStep(secret, "287082", DateTimeOffset.FromUnixTimeSeconds(59 + 90), window: 1));
    }

    [Fact]
    public void Pkce_S256_matches_Oracles_sample_challenge()
    {
        Assert.Equal("Who5QBshz2Mu1Mq6GuAknYA5TnjA-0z7VhAgLloec1s", Pkce.S256(Harness.Verifier));
        Assert.True(Pkce.IsValidVerifier(Harness.Verifier));
        Assert.False(Pkce.IsValidVerifier("too-short"));
    }

    [Theory]
    [InlineData("1234567_SB1", "1234567_SB1", "1234567-sb1")]
    [InlineData("1234567-sb1", "1234567_SB1", "1234567-sb1")]
    [InlineData("tstdrv123456", "TSTDRV123456", "tstdrv123456")]
    public void Account_ids_convert_between_realm_and_host_label(string input, string realm, string hostLabel)
    {
        Assert.Equal(realm, AccountIds.ToRealm(input));
        Assert.Equal(hostLabel, AccountIds.ToHostLabel(input));
    }

    [Fact]
    public void NLAuth_header_is_parsed_with_escaped_values()
    {
        Assert.True(NlAuthCredentials.TryParse("NLAuth nlauth_account=123456, nlauth_email=jsmith%40example.com, nlauth_signature=p%2Cw%3D, nlauth_role=37, nlauth_otp=654321", out var c));
        Assert.Equal(("123456", "jsmith@example.com", "p,w=", 37, "654321"), (c.Account, c.Email, c.Password, c.Role!.Value, c.Otp!));
        Assert.DoesNotContain("p,w=", c.ToString(), StringComparison.Ordinal);
        Assert.False(NlAuthCredentials.TryParse("NLAuth nlauth_email=a%40b.c", out _));
    }

    [Fact]
    public void Client_assertion_signatures_verify_only_with_the_matching_key_and_curve()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwt = Jwt.Create("ES256", p256, "kid-1", "{\"iss\":\"x\"}"u8);
        Assert.True(Jwt.TryDecode(jwt, out var parts));
        Assert.True(Jwt.VerifyWithCertificateKey("ES256", p256, parts));
        Assert.False(Jwt.VerifyWithCertificateKey("ES256", other, parts));
        Assert.False(Jwt.VerifyWithCertificateKey("ES384", p256, parts));
        Assert.False(Jwt.TryDecode("a.b", out _));
    }
}
