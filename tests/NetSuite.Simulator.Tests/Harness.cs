using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Tests;

/// <summary>
/// One simulator per test on 127.0.0.1 with a FakeTimeProvider, a seeded sandbox account, a confidential
/// integration and a user, and a real HttpClient that does not follow redirects.
/// </summary>
internal sealed class Harness : IAsyncDisposable
{
    public const string Account = "1234567_SB1";
    public const string HostLabel = "1234567-sb1";
    public const string Email = "jsmith@example.com";
    public const string Password = "Welcome-123!";
    public const string TotpSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    public const string RedirectUri = "https://app.example.com/netsuite/callback";
    public const string State22 = "state-0123456789-abcdef";

    private Harness(FakeTimeProvider clock, NetSuiteSimulator simulator)
    {
        Clock = clock;
        Sim = simulator;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public FakeTimeProvider Clock { get; }

    public NetSuiteSimulator Sim { get; }

    public SimulatorState State => Sim.State;

    public HttpClient Http { get; }

    public SimIntegration Integration { get; private set; } = null!;

    public SimUser User { get; private set; } = null!;

    public static async Task<Harness> StartAsync(Action<SimulatorModes>? modes = null, bool seed = true, int concurrencyLimit = 5)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var options = new SimulatorOptions { TimeProvider = clock };
        modes?.Invoke(options.Modes);
        var simulator = await NetSuiteSimulator.StartAsync(options);
        var harness = new Harness(clock, simulator);
        if (seed)
        {
            simulator.State.AddAccount(Account, concurrencyLimit);
            harness.User = simulator.State.AddUser(Account, Email, Password, TotpSecret, 1000, 3);
            harness.Integration = simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = [RedirectUri] });
        }

        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Sim.DisposeAsync();
    }

    public long Now => Clock.GetUtcNow().ToUnixTimeSeconds();

    public string Otp(DateTimeOffset? at = null) => Totp.Compute(TotpSecret, at ?? Clock.GetUtcNow());

    // ------------------------------------------------------------------ TBA

    public IssuedTbaToken IssueTba(int roleId = 1000) => State.IssueTbaToken(Account, Integration.ConsumerKey, Email, roleId);

    public HttpRequestMessage Signed(HttpMethod method, string url, IssuedTbaToken token, string? realm = null, string? nonce = null,
        long? timestamp = null, string signatureMethod = OAuth1.HmacSha256, string? version = "1.0", string? tokenSecret = null)
    {
        var uri = new Uri(url);
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("Authorization", OAuth1.CreateAuthorizationHeader(
            method.Method, uri, realm ?? token.Account, token.ConsumerKey, token.ConsumerSecret, token.TokenId, tokenSecret ?? token.TokenSecret,
            nonce ?? OAuth1.NewNonce(), timestamp ?? Now, signatureMethod, version));
        return request;
    }

    public static string NlAuth(string account, string email, string password, int? role = null, string? otp = null)
    {
        var sb = new StringBuilder("NLAuth nlauth_account=").Append(account)
            .Append(", nlauth_email=").Append(Uri.EscapeDataString(email))
            .Append(", nlauth_signature=").Append(Uri.EscapeDataString(password));
        if (role is not null)
        {
            sb.Append(", nlauth_role=").Append(role.Value);
        }

        if (otp is not null)
        {
            sb.Append(", nlauth_otp=").Append(otp);
        }

        return sb.ToString();
    }

    public string IssueTokenUrl(string? consumerKey = null, string? name = "rotation-1") =>
        $"{Sim.RestletsUrl(Account)}/rest/issuetoken?consumerKey={consumerKey ?? Integration.ConsumerKey}" + (name is null ? "" : $"&name={Uri.EscapeDataString(name)}");

    public string RevokeTokenUrl(string tokenId, string? consumerKey = null) =>
        $"{Sim.RestletsUrl(Account)}/rest/revoketoken?consumerKey={consumerKey ?? Integration.ConsumerKey}&token={tokenId}";

    public Task<HttpResponseMessage> GetWithAuthorization(string url, string authorization, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return Http.SendAsync(request);
    }

    // ------------------------------------------------------------------ OAuth 2.0

    public Task<HttpResponseMessage> PostTokenAsync(IEnumerable<KeyValuePair<string, string>> form, string? basicId = null, string? basicSecret = null, string? url = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url ?? Sim.TokenUrl(Account)) { Content = new FormUrlEncodedContent(form) };
        if (basicId is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basicId}:{basicSecret}")));
        }

        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken, SimIntegration? integration = null)
    {
        var client = integration ?? Integration;
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
        if (client.PublicClient)
        {
            form["client_id"] = client.ClientId;
            return PostTokenAsync(form);
        }

        return PostTokenAsync(form, client.ClientId, client.ClientSecret);
    }

    public string AuthorizeUrl(
        SimIntegration? integration = null, string? redirectUri = RedirectUri, string? state = State22, string scope = "rest_webservices restlets",
        string? challenge = null, string? method = "S256", string responseType = "code", string? extra = null)
    {
        var client = integration ?? Integration;
        var sb = new StringBuilder(Sim.AuthorizeUrl(Account)).Append("?response_type=").Append(responseType)
            .Append("&client_id=").Append(client.ClientId);
        if (redirectUri is not null)
        {
            sb.Append("&redirect_uri=").Append(Uri.EscapeDataString(redirectUri));
        }

        sb.Append("&scope=").Append(Uri.EscapeDataString(scope));
        if (state is not null)
        {
            sb.Append("&state=").Append(Uri.EscapeDataString(state));
        }

        if (challenge is not null)
        {
            sb.Append("&code_challenge=").Append(challenge);
            if (method is not null)
            {
                sb.Append("&code_challenge_method=").Append(method);
            }
        }

        return sb.Append(extra).ToString();
    }

    /// <summary>Runs the consent with the auto-approve switch and returns the redirect's parameters.</summary>
    public async Task<Dictionary<string, string>> ConsentAsync(SimIntegration? integration = null, string? challenge = null, string scope = "rest_webservices restlets")
    {
        var previous = Sim.Modes.Consent;
        Sim.Modes.Consent = ConsentMode.AutoApprove;
        try
        {
            using var response = await Http.GetAsync(AuthorizeUrl(integration, challenge: challenge, scope: scope));
            Assert.Equal(System.Net.HttpStatusCode.Found, response.StatusCode);
            return RedirectParameters(response);
        }
        finally
        {
            Sim.Modes.Consent = previous;
        }
    }

    public static Dictionary<string, string> RedirectParameters(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new InvalidOperationException("No Location header.");
        return PercentEncoding.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value);
    }

    /// <summary>Consent then code exchange: the token response JSON.</summary>
    public async Task<JsonElement> CodeGrantAsync(SimIntegration? integration = null, string verifier = Verifier)
    {
        var client = integration ?? Integration;
        var parameters = await ConsentAsync(client, Pkce.S256(verifier));
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = parameters["code"],
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
        };
        HttpResponseMessage response;
        if (client.PublicClient)
        {
            form["client_id"] = client.ClientId;
            response = await PostTokenAsync(form);
        }
        else
        {
            response = await PostTokenAsync(form, client.ClientId, client.ClientSecret);
        }

        using (response)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            return await Json(response);
        }
    }

    public const string Verifier = "abFOm_isZAwm7PpI9BtJRMEuiMqhU6sUqZlVWSsAAf1QutgIOD~on78mu-JdpbKc_RA7IEcf2e~q0XrKlJ1tE.8Un64PXLKQG16G4lwW-a5de_0aeU2mHnyVPg.Or8cE";

    public Task<HttpResponseMessage> GetWithBearer(string url, string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return Http.SendAsync(request);
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());

    public static async Task<string?> OAuthError(HttpResponseMessage response) =>
        (await Json(response)).GetProperty("error").GetString();

    public static async Task<string?> RestletErrorCode(HttpResponseMessage response) =>
        (await Json(response)).GetProperty("error").GetProperty("code").GetString();

    public static async Task<string?> RestErrorCode(HttpResponseMessage response) =>
        (await Json(response)).GetProperty("o:errorDetails")[0].GetProperty("o:errorCode").GetString();

    public static JwtParts Decode(string jwt)
    {
        Assert.True(Jwt.TryDecode(jwt, out var parts), "not a JWT");
        return parts;
    }

    /// <summary>The newest audit entry for the account matching the endpoint.</summary>
    public AuditEntry LastAudit(SimEndpoint endpoint) => State.AuditTrailFor(Account).Last(e => e.Endpoint == endpoint);
}
