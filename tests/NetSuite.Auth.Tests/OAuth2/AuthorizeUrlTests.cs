using NetSuite.Auth.OAuth2;

namespace NetSuite.Auth.Tests.OAuth2;

public class AuthorizeUrlTests
{
    private static readonly Uri Endpoint = new("https://1234567.app.netsuite.com/app/login/oauth2/authorize.nl");

    // Values of Oracle's Step One sample request (NetSuite topic 1.1).
    private static NetSuiteAuthorizeRequest OracleSample() => new()
    {
        ClientId = "6794a3086e4f61a120350d01b8527aed3631472ef33412212495be65a8fc8d4c",
        RedirectUri = new Uri("https://myapplication.com/netsuite/oauth2callback"),
        Scopes = NetSuiteScopes.Restlets | NetSuiteScopes.RestWebServices,
        State = "ykv2XLx1BpT5Q0F3MRPHb94j",
        CodeChallenge = "Who5QBshz2Mu1Mq6GuAknYA5TnjA-0z7VhAgLloec1s",
    };

    [Fact]
    public void Build_encodes_Oracle_sample_parameters_like_Oracle()
    {
        var url = NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample());

        Assert.Equal(
            "https://1234567.app.netsuite.com/app/login/oauth2/authorize.nl"
            + "?response_type=code"
            + "&client_id=6794a3086e4f61a120350d01b8527aed3631472ef33412212495be65a8fc8d4c"
            + "&redirect_uri=https%3A%2F%2Fmyapplication.com%2Fnetsuite%2Foauth2callback"
            + "&scope=restlets+rest_webservices"
            + "&state=ykv2XLx1BpT5Q0F3MRPHb94j"
            + "&code_challenge=Who5QBshz2Mu1Mq6GuAknYA5TnjA-0z7VhAgLloec1s"
            + "&code_challenge_method=S256",
            url.AbsoluteUri);
    }

    [Fact]
    public void Build_from_endpoints_uses_the_account_app_host()
    {
        var endpoints = new NetSuiteEndpoints(new NetSuiteEndpointOptions());

        var url = NetSuiteAuthorizeUrl.Build(endpoints, NetSuiteAccountId.Parse("1234567_SB1"), OracleSample());

        Assert.StartsWith("https://1234567-sb1.app.netsuite.com/app/login/oauth2/authorize.nl?response_type=code&", url.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_from_endpoints_rejects_null_arguments()
    {
        var endpoints = new NetSuiteEndpoints(new NetSuiteEndpointOptions());
        var account = NetSuiteAccountId.Parse("1234567");

        Assert.Throws<ArgumentNullException>(() => NetSuiteAuthorizeUrl.Build(null!, account, OracleSample()));
        Assert.Throws<ArgumentNullException>(() => NetSuiteAuthorizeUrl.Build(endpoints, null!, OracleSample()));
        Assert.Throws<ArgumentNullException>(() => NetSuiteAuthorizeUrl.Build(Endpoint, null!));
        Assert.Throws<ArgumentNullException>(() => NetSuiteAuthorizeUrl.Build((Uri)null!, OracleSample()));
    }

    [Theory]
    [InlineData(AuthorizePrompt.None, "none")]
    [InlineData(AuthorizePrompt.Login, "login")]
    [InlineData(AuthorizePrompt.Consent, "consent")]
    [InlineData(AuthorizePrompt.Login | AuthorizePrompt.Consent, "login+consent")]
    public void Build_adds_prompt_when_given(AuthorizePrompt prompt, string encoded)
    {
        var url = NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { Prompt = prompt });

        Assert.EndsWith("&code_challenge_method=S256&prompt=" + encoded, url.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_omits_prompt_by_default()
    {
        var url = NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample());

        Assert.DoesNotContain("prompt", url.Query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AuthorizePrompt.None | AuthorizePrompt.Login)]
    [InlineData(AuthorizePrompt.None | AuthorizePrompt.Consent)]
    [InlineData((AuthorizePrompt)8)]
    public void Build_rejects_prompt_none_combined_or_unknown(AuthorizePrompt prompt)
    {
        var ex = Assert.Throws<ArgumentException>(() => NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { Prompt = prompt }));

        Assert.Contains("'prompt'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_rejects_prompt_none_with_mcp()
    {
        var request = OracleSample() with { Scopes = NetSuiteScopes.Mcp, Prompt = AuthorizePrompt.None };

        var ex = Assert.Throws<ArgumentException>(() => NetSuiteAuthorizeUrl.Build(Endpoint, request));

        Assert.Contains("'prompt'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("mcp", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_allows_mcp_alone()
    {
        var url = NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { Scopes = NetSuiteScopes.Mcp, Prompt = AuthorizePrompt.Consent });

        Assert.Contains("&scope=mcp&", url.Query, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_rejects_mcp_with_other_scopes_naming_scope()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { Scopes = NetSuiteScopes.Mcp | NetSuiteScopes.Restlets }));

        Assert.Contains("scope", ex.Message, StringComparison.Ordinal);
        Assert.Contains("mcp", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_rejects_no_scope()
    {
        var ex = Assert.Throws<ArgumentException>(() => NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { Scopes = NetSuiteScopes.None }));

        Assert.Contains("scope", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(1025)]
    public void Build_rejects_state_of_wrong_length_naming_state(int length)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { State = new string('a', length) }));

        Assert.Contains("'state'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("22 to 1024", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abcdefghijklmnopqrstu\u0001")]
    [InlineData("abcdefghijklmnopqrstu\u00e9")]
    [InlineData("abcdefghijklmnopqrstu\u007f")]
    [InlineData(null)]
    public void Build_rejects_state_that_is_not_printable_ascii(string? state)
    {
        var ex = Assert.Throws<ArgumentException>(() => NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { State = state! }));

        Assert.Contains("'state'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_accepts_state_of_22_and_1024_printable_characters_and_encodes_them()
    {
        var state = " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
        var url = NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { State = state });
        var longUrl = NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { State = new string('x', 1024) });

        Assert.Contains(
            "&state=+%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D~&",
            url.AbsoluteUri,
            StringComparison.Ordinal);
        Assert.Contains("&state=" + new string('x', 1024) + "&", longUrl.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateState_makes_valid_unique_states()
    {
        var states = Enumerable.Range(0, 20).Select(_ => NetSuiteAuthorizeUrl.CreateState()).ToList();

        Assert.All(states, s => Assert.True(NetSuiteAuthorizeUrl.IsValidState(s)));
        Assert.All(states, s => Assert.Equal(43, s.Length));
        Assert.Equal(20, states.Distinct().Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Build_rejects_empty_client_id_naming_client_id(string clientId)
    {
        var ex = Assert.Throws<ArgumentException>(() => NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { ClientId = clientId }));

        Assert.Contains("'client_id'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://myapplication.com/callback", "http")]
    [InlineData("https://myapplication.com/callback#frag", "fragment")]
    public void Build_rejects_bad_redirect_uri_naming_redirect_uri(string redirect, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { RedirectUri = new Uri(redirect) }));

        Assert.Contains("'redirect_uri'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_rejects_relative_or_missing_redirect_uri()
    {
        var relative = Assert.Throws<ArgumentException>(() =>
            NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { RedirectUri = new Uri("/callback", UriKind.Relative) }));
        var missing = Assert.Throws<ArgumentException>(() =>
            NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { RedirectUri = null! }));

        Assert.Contains("'redirect_uri'", relative.Message, StringComparison.Ordinal);
        Assert.Contains("'redirect_uri'", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("myapp://callback", "myapp%3A%2F%2Fcallback")]
    [InlineData("http://127.0.0.1:5000/callback", "http%3A%2F%2F127.0.0.1%3A5000%2Fcallback")]
    public void Build_accepts_custom_scheme_and_loopback_http_redirects(string redirect, string encoded)
    {
        var url = NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { RedirectUri = new Uri(redirect) });

        Assert.Contains("&redirect_uri=" + encoded + "&", url.AbsoluteUri, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Who5QBshz2Mu1Mq6GuAknYA5TnjA-0z7VhAgLloec1")]
    [InlineData("Who5QBshz2Mu1Mq6GuAknYA5TnjA+0z7VhAgLloec1s")]
    [InlineData("")]
    public void Build_rejects_code_challenge_that_is_not_S256_shaped(string challenge)
    {
        var ex = Assert.Throws<ArgumentException>(() => NetSuiteAuthorizeUrl.Build(Endpoint, OracleSample() with { CodeChallenge = challenge }));

        Assert.Contains("'code_challenge'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://1234567.app.netsuite.com/app/login/oauth2/authorize.nl")]
    [InlineData("ftp://1234567.app.netsuite.com/x")]
    public void Build_rejects_insecure_endpoint(string endpoint)
    {
        var ex = Assert.Throws<ArgumentException>(() => NetSuiteAuthorizeUrl.Build(new Uri(endpoint), OracleSample()));

        Assert.Equal("authorizeEndpoint", ex.ParamName);
    }

    [Fact]
    public void Build_keeps_an_existing_query_on_the_endpoint()
    {
        var url = NetSuiteAuthorizeUrl.Build(new Uri("http://127.0.0.1:5000/1234567/app/app/login/oauth2/authorize.nl?c=1"), OracleSample());

        Assert.StartsWith("http://127.0.0.1:5000/1234567/app/app/login/oauth2/authorize.nl?c=1&response_type=code&", url.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public void Built_url_round_trips_through_a_form_parser()
    {
        var pkce = Pkce.Create();
        var request = OracleSample() with { CodeChallenge = pkce.CodeChallenge, State = "state with spaces & symbols=+ok" };

        var url = NetSuiteAuthorizeUrl.Build(Endpoint, request);
        var parsed = ParseQuery(url.Query);

        Assert.Equal("code", parsed["response_type"]);
        Assert.Equal(request.ClientId, parsed["client_id"]);
        Assert.Equal("https://myapplication.com/netsuite/oauth2callback", parsed["redirect_uri"]);
        Assert.Equal("restlets rest_webservices", parsed["scope"]);
        Assert.Equal(request.State, parsed["state"]);
        Assert.Equal(pkce.CodeChallenge, parsed["code_challenge"]);
        Assert.Equal("S256", parsed["code_challenge_method"]);
        Assert.DoesNotContain(pkce.CodeVerifier, url.AbsoluteUri, StringComparison.Ordinal);
    }

    internal static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Decode(p[0]), p => Decode(p.Length > 1 ? p[1] : string.Empty));

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
