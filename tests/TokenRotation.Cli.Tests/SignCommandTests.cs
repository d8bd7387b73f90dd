using System.Text.RegularExpressions;
using TokenRotation.Cli;

namespace TokenRotation.Cli.Tests;

public sealed class SignCommandTests
{
    // Oracle's worked example (NetSuite topic 4.3).
    private const string ConsumerKey = "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4";
    private const string ConsumerSecret = "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5";
    private const string TokenId = "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc";
    private const string TokenSecret = "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295";
    private const string RestWsUrl = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40";

    private const string RestWsHeader =
        "Authorization: OAuth realm=\"123456\", oauth_consumer_key=\"ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4\", oauth_token=\"2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc\", oauth_nonce=\"fjaLirsIcCGVZWzBX0pg\", oauth_timestamp=\"1508242306\", oauth_signature_method=\"HMAC-SHA256\", oauth_version=\"1.0\", oauth_signature=\"B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D\"";

    private static readonly Dictionary<string, string> SecretsInEnvironment = new()
    {
        ["NSTOKEN_CONSUMER_SECRET"] = ConsumerSecret,
        ["NSTOKEN_TOKEN_SECRET"] = TokenSecret,
    };

    private static string[] Args(string method, string url, params string[] extra) =>
    [
        "sign", "--method", method, "--url", url, "--account", "123456",
        "--consumer-key", ConsumerKey, "--token-id", TokenId, .. extra,
    ];

    private static async Task<(int ExitCode, string Stdout, string Stderr)> Run(string[] args, IReadOnlyDictionary<string, string>? environment = null, string stdin = "")
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await NsTokenApp.RunAsync(args, input, output, error, name => environment is not null && environment.TryGetValue(name, out var value) ? value : null);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Sign_reproduces_the_REST_web_services_vector_exactly()
    {
        var (exitCode, stdout, stderr) = await Run(
            Args("GET", RestWsUrl, "--nonce", "fjaLirsIcCGVZWzBX0pg", "--timestamp", "1508242306"), SecretsInEnvironment);

        Assert.Equal(0, exitCode);
        Assert.Equal(RestWsHeader + Environment.NewLine, stdout);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task Sign_uppercases_the_method()
    {
        var (exitCode, stdout, _) = await Run(
            Args("get", RestWsUrl, "--nonce", "fjaLirsIcCGVZWzBX0pg", "--timestamp", "1508242306"), SecretsInEnvironment);

        Assert.Equal(0, exitCode);
        Assert.Equal(RestWsHeader + Environment.NewLine, stdout);
    }

    [Fact]
    public async Task Verbose_sign_of_the_RESTlet_vector_with_secrets_from_stdin_prints_Oracles_base_string()
    {
        var (exitCode, stdout, stderr) = await Run(
            Args(
                "POST",
                "https://123456.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=6&deploy=1&customParam=someValue&testParam=someOtherValue",
                "--nonce", "fjaLirsIcCGVZWzBX0pg", "--timestamp", "1508242306", "--verbose", "--secrets-from-stdin"),
            environment: null,
            stdin: ConsumerSecret + "\r\n" + TokenSecret + "\n");

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, stderr);
        var lines = stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Realm: 123456", lines[0]);
        Assert.Equal("Nonce: fjaLirsIcCGVZWzBX0pg", lines[1]);
        Assert.Equal("Timestamp: 1508242306", lines[2]);
        Assert.Equal(
            "Base string: POST&https%3A%2F%2F123456.restlets.api.netsuite.com%2Fapp%2Fsite%2Fhosting%2Frestlet.nl&customParam%3DsomeValue%26deploy%3D1%26oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4%26oauth_nonce%3DfjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1508242306%26oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc%26oauth_version%3D1.0%26script%3D6%26testParam%3DsomeOtherValue",
            lines[3]);
        Assert.StartsWith("Authorization: OAuth realm=\"123456\", ", lines[4], StringComparison.Ordinal);
        Assert.EndsWith("oauth_signature=\"%2BKK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ%3D\"", lines[4], StringComparison.Ordinal);
        Assert.Equal(5, lines.Length);
        Assert.DoesNotContain(ConsumerSecret, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenSecret, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdin_secrets_take_precedence_over_the_environment()
    {
        var (exitCode, stdout, _) = await Run(
            Args("GET", RestWsUrl, "--nonce", "fjaLirsIcCGVZWzBX0pg", "--timestamp", "1508242306", "--secrets-from-stdin"),
            new Dictionary<string, string> { ["NSTOKEN_CONSUMER_SECRET"] = "wrong", ["NSTOKEN_TOKEN_SECRET"] = "wrong" },
            ConsumerSecret + "\n" + TokenSecret);

        Assert.Equal(0, exitCode);
        Assert.Equal(RestWsHeader + Environment.NewLine, stdout);
    }

    [Fact]
    public async Task Missing_secrets_in_the_environment_fail_with_exit_code_2_and_say_where_to_put_them()
    {
        var (exitCode, stdout, stderr) = await Run(Args("GET", RestWsUrl));

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("Missing the consumer secret", stderr, StringComparison.Ordinal);
        Assert.Contains("NSTOKEN_CONSUMER_SECRET", stderr, StringComparison.Ordinal);
        Assert.Contains("NSTOKEN_TOKEN_SECRET", stderr, StringComparison.Ordinal);
        Assert.Contains("--secrets-from-stdin", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_token_secret_is_named()
    {
        var (exitCode, _, stderr) = await Run(Args("GET", RestWsUrl), new Dictionary<string, string> { ["NSTOKEN_CONSUMER_SECRET"] = ConsumerSecret });

        Assert.Equal(2, exitCode);
        Assert.Contains("Missing the token secret", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(ConsumerSecret, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("only-one-line\n")]
    public async Task Stdin_with_fewer_than_two_secret_lines_fails_with_exit_code_2(string stdin)
    {
        var (exitCode, stdout, stderr) = await Run(Args("GET", RestWsUrl, "--secrets-from-stdin"), SecretsInEnvironment, stdin);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("Missing the", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("only-one-line", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_are_not_accepted_as_arguments()
    {
        var (exitCode, stdout, _) = await Run(Args("GET", RestWsUrl, "--consumer-secret", ConsumerSecret, "--token-secret", TokenSecret));

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("Authorization:", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--account", "12-ab", "is not a NetSuite account id")]
    [InlineData("--url", "not a url", "is not an absolute http(s) URL")]
    [InlineData("--url", "ftp://123456.suitetalk.api.netsuite.com/x", "is not an absolute http(s) URL")]
    [InlineData("--timestamp", "0", "--timestamp must be a positive")]
    [InlineData("--nonce", "", "--nonce must not be empty")]
    public async Task Invalid_input_fails_with_exit_code_2_and_a_clear_message(string option, string value, string message)
    {
        var args = Args("GET", RestWsUrl).ToList();
        var index = args.IndexOf(option);
        if (index >= 0)
        {
            args[index + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var (exitCode, stdout, stderr) = await Run([.. args], SecretsInEnvironment);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_required_option_is_a_parse_error()
    {
        var (exitCode, stdout, stderr) = await Run(["sign", "--method", "GET", "--account", "123456", "--consumer-key", "ck", "--token-id", "t"], SecretsInEnvironment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--url", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_nonce_and_timestamp_a_random_nonce_and_the_current_time_are_used()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var first = await Run(Args("GET", RestWsUrl), SecretsInEnvironment);
        var second = await Run(Args("GET", RestWsUrl), SecretsInEnvironment);

        var nonce = Regex.Match(first.Stdout, "oauth_nonce=\"([^\"]+)\"").Groups[1].Value;
        var timestamp = long.Parse(Regex.Match(first.Stdout, "oauth_timestamp=\"([0-9]+)\"").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches("^[A-Za-z0-9]{20}$", nonce);
        Assert.InRange(timestamp, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.NotEqual(first.Stdout, second.Stdout);
    }

    [Fact]
    public async Task A_URL_for_another_account_than_the_realm_gets_a_warning()
    {
        var args = Args("GET", "https://1234567.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40", "--nonce", "n123456", "--timestamp", "1");
        args[Array.IndexOf(args, "--account") + 1] = "1234567_SB1";

        var (exitCode, stdout, stderr) = await Run(args, SecretsInEnvironment);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("Authorization: OAuth realm=\"1234567_SB1\"", stdout, StringComparison.Ordinal);
        Assert.Contains("the URL is for account 1234567 but the realm is 1234567_SB1", stderr, StringComparison.Ordinal);
    }
}
