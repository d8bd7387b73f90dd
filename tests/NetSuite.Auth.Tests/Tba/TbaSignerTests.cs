using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Auth.Tba;
using NetSuite.Auth.Tests.Support;

namespace NetSuite.Auth.Tests.Tba;

public sealed class TbaSignerTests
{
    // The encoded form of the six oauth_* parameters of Vectors.Small() with nonce "nonce123" and timestamp 1700000000,
    // written by hand from RFC 5849 section 3.4.1.3.2 (sorted; '=' -> %3D, '&' -> %26 after the second encoding).
    private const string SmallOAuthParams =
        "oauth_consumer_key%3Dck%26oauth_nonce%3Dnonce123%26oauth_signature_method%3DHMAC-SHA256"
        + "%26oauth_timestamp%3D1700000000%26oauth_token%3Dtk%26oauth_version%3D1.0";

    private static readonly TbaSigner Signer = new(new FixedNonce("unused"), new FakeTimeProvider());

    private static TbaSignature SignSmall(string method, string url, IEnumerable<KeyValuePair<string, string>>? form = null) =>
        Signer.Sign(new HttpMethod(method), new Uri(url), Vectors.Small(), form, "nonce123", 1700000000);

    [Fact]
    public void Oracle_restlet_POST_vector_gives_Oracle_base_string_and_signature()
    {
        var signature = Signer.Sign(
            HttpMethod.Post,
            new Uri("https://123456.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=6&deploy=1&customParam=someValue&testParam=someOtherValue"),
            Vectors.Oracle(),
            nonce: Vectors.OracleNonce,
            timestamp: Vectors.OracleTimestamp);

        Assert.Equal(
            "POST&https%3A%2F%2F123456.restlets.api.netsuite.com%2Fapp%2Fsite%2Fhosting%2Frestlet.nl&customParam%3DsomeValue%26deploy%3D1%26oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4%26oauth_nonce%3DfjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1508242306%26oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc%26oauth_version%3D1.0%26script%3D6%26testParam%3DsomeOtherValue",
            signature.BaseString);
        Assert.Equal("+KK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ=", signature.Signature);
        Assert.Contains("oauth_signature=\"%2BKK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ%3D\"", signature.AuthorizationHeader, StringComparison.Ordinal);
    }

    [Fact]
    public void Oracle_REST_web_services_GET_vector_gives_Oracle_signature_and_full_header()
    {
        var signature = Signer.Sign(
            HttpMethod.Get,
            new Uri("https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40"),
            Vectors.Oracle(),
            nonce: Vectors.OracleNonce,
            timestamp: Vectors.OracleTimestamp);

        Assert.Equal(
            "GET&https%3A%2F%2F123456.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Femployee%2F40&oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4%26oauth_nonce%3DfjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1508242306%26oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc%26oauth_version%3D1.0",
            signature.BaseString);
        Assert.Equal("B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY=", signature.Signature);
        Assert.Equal(
            "OAuth realm=\"123456\", oauth_consumer_key=\"ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4\", oauth_token=\"2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc\", oauth_nonce=\"fjaLirsIcCGVZWzBX0pg\", oauth_timestamp=\"1508242306\", oauth_signature_method=\"HMAC-SHA256\", oauth_version=\"1.0\", oauth_signature=\"B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D\"",
            signature.AuthorizationHeader);
        Assert.Equal(signature.AuthorizationHeader, signature.ToString());
        Assert.Equal("OAuth", signature.ToHeaderValue().Scheme);
        Assert.Equal(Vectors.OracleNonce, signature.Nonce);
        Assert.Equal(Vectors.OracleTimestamp, signature.Timestamp);
    }

    [Fact]
    public void Method_is_uppercased_in_the_base_string()
    {
        Assert.StartsWith("GET&", SignSmall("get", "https://example.com/r").BaseString, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_parameters_and_empty_values_are_sorted_by_name_then_value()
    {
        var signature = SignSmall("GET", "https://example.com/r?b=2&a=3&a=1&c=&flag");

        Assert.Equal(
            "GET&https%3A%2F%2Fexample.com%2Fr&a%3D1%26a%3D3%26b%3D2%26c%3D%26flag%3D%26" + SmallOAuthParams,
            signature.BaseString);
    }

    [Fact]
    public void Parameters_sort_by_encoded_bytes_so_uppercase_names_come_first()
    {
        var signature = SignSmall("GET", "https://example.com/r?a=1&B=2");

        Assert.Equal("GET&https%3A%2F%2Fexample.com%2Fr&B%3D2%26a%3D1%26" + SmallOAuthParams, signature.BaseString);
    }

    [Fact]
    public void RFC_5849_example_parameter_set_with_query_and_form_body_normalises_as_the_RFC_describes()
    {
        // The parameter set of RFC 5849 section 3.4.1.3.1 (query b5=%3D%253D&a3=a&c%40=&a2=r%20b, body c2&a3=2+q).
        var form = TbaSigner.ParseQuery("c2&a3=2+q");
        var signature = SignSmall("POST", "https://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", form);

        Assert.Equal(
            "POST&https%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26" + SmallOAuthParams,
            signature.BaseString);
    }

    [Fact]
    public void Reserved_and_non_ASCII_characters_are_percent_encoded_as_UTF8_and_space_is_percent_20()
    {
        var signature = SignSmall("GET", "https://example.com/search?q=caf%C3%A9%20%26%20cr%C3%A8me&q2=a+b&sym=!*'()&tilde=~");

        Assert.Equal(
            "GET&https%3A%2F%2Fexample.com%2Fsearch&" + SmallOAuthParams
            + "%26q%3Dcaf%25C3%25A9%2520%2526%2520cr%25C3%25A8me%26q2%3Da%2520b%26sym%3D%2521%252A%2527%2528%2529%26tilde%3D~",
            signature.BaseString);
    }

    [Fact]
    public void Explicit_non_default_port_is_kept_in_the_base_string_URI()
    {
        Assert.Equal(
            "GET&https%3A%2F%2Fexample.com%3A8443%2Fa&" + SmallOAuthParams,
            SignSmall("GET", "https://example.com:8443/a").BaseString);
    }

    [Fact]
    public void Default_port_is_dropped_and_scheme_and_host_are_lowercased()
    {
        Assert.Equal(
            "GET&https%3A%2F%2Fexample.com%2FA&" + SmallOAuthParams,
            SignSmall("GET", "HTTPS://EXAMPLE.com:443/A").BaseString);
        Assert.Equal(
            "GET&http%3A%2F%2F127.0.0.1%3A5000%2F1234567-sb1%2Frestlets%2Frest%2Ftokeninfo&" + SmallOAuthParams,
            SignSmall("GET", "http://127.0.0.1:5000/1234567-sb1/restlets/rest/tokeninfo").BaseString);
    }

    [Fact]
    public void Path_with_encoded_characters_is_signed_as_requested_and_encoded_again()
    {
        Assert.Equal(
            "GET&https%3A%2F%2Fexample.com%2Ffiles%2Fmy%2520doc%252Fv1%2Fna%25C3%25AFve&" + SmallOAuthParams,
            SignSmall("GET", "https://example.com/files/my%20doc%2Fv1/na%C3%AFve").BaseString);
    }

    [Fact]
    public void Empty_path_is_a_slash()
    {
        Assert.Equal("GET&https%3A%2F%2Fexample.com%2F&" + SmallOAuthParams, SignSmall("GET", "https://example.com").BaseString);
    }

    [Fact]
    public void Realm_is_in_the_header_in_uppercase_underscore_form_but_not_in_the_signed_parameters()
    {
        var signature = Signer.Sign(HttpMethod.Get, new Uri("https://1234567-sb1.restlets.api.netsuite.com/rest/tokeninfo"),
            Vectors.Small(NetSuiteAccountId.Parse("1234567-sb1")), nonce: "nonce123", timestamp: 1700000000);

        Assert.StartsWith("OAuth realm=\"1234567_SB1\", ", signature.AuthorizationHeader, StringComparison.Ordinal);
        Assert.DoesNotContain("realm", signature.BaseString, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("oauth_signature%3D", signature.BaseString, StringComparison.Ordinal);
    }

    [Fact]
    public void Signature_is_HMAC_SHA256_keyed_with_encoded_consumer_and_token_secrets()
    {
        const string baseString = "GET&https%3A%2F%2Fexample.com%2F&x%3D1";
        var expected = Convert.ToBase64String(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("c%20s%26&t%2Bs"), Encoding.UTF8.GetBytes(baseString)));

        Assert.Equal(expected, TbaSigner.ComputeSignature(baseString, "c s&", "t+s"));
    }

    [Fact]
    public void Nonce_and_timestamp_come_from_the_injected_source_and_clock_when_not_given()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var signer = new TbaSigner(new FixedNonce("injected-nonce"), time);

        var signature = signer.Sign(HttpMethod.Get, new Uri("https://example.com/r"), Vectors.Small());

        Assert.Equal("injected-nonce", signature.Nonce);
        Assert.Equal(1_800_000_000, signature.Timestamp);
        Assert.Contains("oauth_nonce=\"injected-nonce\"", signature.AuthorizationHeader, StringComparison.Ordinal);
        Assert.Contains("oauth_timestamp=\"1800000000\"", signature.AuthorizationHeader, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_signer_makes_a_different_20_character_alphanumeric_nonce_each_time()
    {
        var signer = new TbaSigner();
        var first = signer.Sign(HttpMethod.Get, new Uri("https://example.com/r"), Vectors.Small());
        var second = signer.Sign(HttpMethod.Get, new Uri("https://example.com/r"), Vectors.Small());

        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.Matches("^[A-Za-z0-9]{20}$", first.Nonce);
        Assert.InRange(first.Timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
    }

    [Fact]
    public void Signer_rejects_relative_urls_empty_nonces_and_non_positive_timestamps()
    {
        Assert.Throws<ArgumentException>(() => Signer.Sign(HttpMethod.Get, new Uri("/r", UriKind.Relative), Vectors.Small(), nonce: "n", timestamp: 1));
        Assert.Throws<ArgumentException>(() => Signer.Sign(HttpMethod.Get, new Uri("https://example.com/r"), Vectors.Small(), nonce: "", timestamp: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Signer.Sign(HttpMethod.Get, new Uri("https://example.com/r"), Vectors.Small(), nonce: "n", timestamp: 0));
    }

    [Theory]
    [InlineData("abcXYZ019-._~", "abcXYZ019-._~")]
    [InlineData("a b+c", "a%20b%2Bc")]
    [InlineData("!*'();:@&=+$,/?#[]", "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D")]
    [InlineData("é€😀", "%C3%A9%E2%82%AC%F0%9F%98%80")]
    [InlineData("%", "%25")]
    [InlineData("", "")]
    public void PercentEncode_follows_RFC_3986_unreserved_set_with_uppercase_hex(string input, string expected)
    {
        Assert.Equal(expected, TbaSigner.PercentEncode(input));
    }

    [Fact]
    public void ParseQuery_decodes_plus_as_space_keeps_repeats_and_skips_empty_pieces()
    {
        var pairs = TbaSigner.ParseQuery("?a=1+2&&a=%26&flag&=v");

        Assert.Equal(
            new KeyValuePair<string, string>[] { new("a", "1 2"), new("a", "&"), new("flag", ""), new("", "v") },
            pairs);
        Assert.Empty(TbaSigner.ParseQuery(null));
        Assert.Empty(TbaSigner.ParseQuery(""));
    }

    [Fact]
    public void Credentials_ToString_never_shows_the_secrets()
    {
        var text = Vectors.Small().ToString();

        Assert.DoesNotContain(Vectors.ConsumerSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Vectors.TokenSecret, text, StringComparison.Ordinal);
        Assert.Contains("ck", text, StringComparison.Ordinal);
        Assert.Contains("1234567_SB1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_reject_empty_values_without_repeating_other_secrets()
    {
        var error = Assert.Throws<ArgumentException>(() => new TbaCredentials(Vectors.Sandbox, "ck", Vectors.ConsumerSecret, "tk", ""));

        Assert.Equal("tokenSecret", error.ParamName);
        Assert.DoesNotContain(Vectors.ConsumerSecret, error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new TbaCredentials(Vectors.Sandbox, "", "s", "tk", "s"));
        Assert.Throws<ArgumentNullException>(() => new TbaCredentials(null!, "ck", "s", "tk", "s"));
    }

    private sealed class FixedNonce(string nonce) : ITbaNonceSource
    {
        public string NewNonce() => nonce;
    }
}
