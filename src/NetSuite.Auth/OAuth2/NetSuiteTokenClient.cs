namespace NetSuite.Auth.OAuth2;

/// <summary>
/// NetSuite's OAuth 2.0 token and revoke endpoints (reference sections 1.3, 1.4, 1.7 and 2.1), as a typed
/// <see cref="HttpClient"/>. Expected protocol failures (invalid_grant, concurrency limit, network) come back as a
/// failed <see cref="NetSuiteResult{T}"/>; every request carries its account and <see cref="NetSuiteCallSafety"/>
/// so the resilience pipeline retries only what may be retried.
/// </summary>
/// <param name="http">The HTTP client (from <c>AddNetSuiteAuth</c>, with the NetSuite resilience pipeline).</param>
/// <param name="endpoints">The endpoint templates.</param>
/// <param name="timeProvider">The clock for date-form <c>Retry-After</c>; <see cref="TimeProvider.System"/> when null.</param>
public sealed class NetSuiteTokenClient(HttpClient http, NetSuiteEndpoints endpoints, TimeProvider? timeProvider = null)
{
    /// <summary>The <c>client_assertion_type</c> of a client-credentials request.</summary>
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));
    private readonly NetSuiteEndpoints _endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
    private readonly TimeProvider _timeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>The same client (HTTP pipeline, clock) on other endpoints, e.g. with domains discovered for one account.</summary>
    /// <param name="endpoints">The endpoints to use instead.</param>
    /// <returns>A new client; this one is unchanged.</returns>
    public NetSuiteTokenClient WithEndpoints(NetSuiteEndpoints endpoints) => new(_http, endpoints, _timeProvider);

    /// <summary>
    /// Exchanges an authorization code (Step Two): <c>grant_type=authorization_code</c>, <c>code</c>,
    /// <c>redirect_uri</c>, <c>code_verifier</c>. Single-use: the code is consumed once NetSuite sees it, so the call
    /// is retried only when NetSuite provably did not process it.
    /// </summary>
    /// <param name="account">The account (from the callback's <c>company</c>).</param>
    /// <param name="client">The client's authentication.</param>
    /// <param name="code">The authorization code from the callback.</param>
    /// <param name="redirectUri">The redirect URI exactly as sent to the authorize endpoint.</param>
    /// <param name="codeVerifier">The PKCE verifier whose challenge was sent to the authorize endpoint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The access and refresh tokens, or the classified failure.</returns>
    /// <exception cref="ArgumentException">An argument is empty or malformed (the message never contains a secret).</exception>
    public Task<NetSuiteResult<TokenResponse>> ExchangeCodeAsync(
        NetSuiteAccountId account,
        OAuth2ClientAuthentication client,
        string code,
        Uri redirectUri,
        string codeVerifier,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentNullException.ThrowIfNull(redirectUri);
        if (!redirectUri.IsAbsoluteUri)
        {
            throw new ArgumentException("The redirect_uri must be absolute and equal to the one sent to the authorize endpoint.", nameof(redirectUri));
        }

        Pkce.EnsureValidVerifier(codeVerifier, nameof(codeVerifier));
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", redirectUri.OriginalString),
            new("code_verifier", codeVerifier),
        };
        return SendTokenRequestAsync(account, client, _endpoints.Token(account), form, NetSuiteCallSafety.SingleUse, requireRefreshToken: true, cancellationToken);
    }

    /// <summary>
    /// Gets a new access token with a refresh token (<c>grant_type=refresh_token</c>).
    /// Confidential clients get no new refresh token and keep using theirs; the call is safe to retry because a
    /// confidential refresh token is not consumed by use (NetSuite topic 1.4, ORA section_158082518856: "no refresh_token";
    /// the same refresh token keeps being used until it expires). Public clients get a new single-use refresh token
    /// that replaces the old one, so their refresh is single-use and a missing <c>refresh_token</c> is an error.
    /// </summary>
    /// <param name="account">The account.</param>
    /// <param name="client">The client's authentication.</param>
    /// <param name="refreshToken">The refresh token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new access token (and for public clients the new refresh token), or the classified failure.</returns>
    public Task<NetSuiteResult<TokenResponse>> RefreshAsync(
        NetSuiteAccountId account,
        OAuth2ClientAuthentication client,
        string refreshToken,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(refreshToken);
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
        };
        var safety = client.IsPublic ? NetSuiteCallSafety.SingleUse : NetSuiteCallSafety.SafeToRetry;
        return SendTokenRequestAsync(account, client, _endpoints.Token(account), form, safety, requireRefreshToken: client.IsPublic, cancellationToken);
    }

    /// <summary>
    /// Revokes a refresh token and its access tokens (<c>POST .../oauth2/v1/revoke</c>, <c>token=</c>). NetSuite does
    /// not document the answer, so any 2xx is success whatever the body. Safe to retry: revoking twice does no harm.
    /// </summary>
    /// <param name="account">The account.</param>
    /// <param name="client">The client's authentication.</param>
    /// <param name="refreshToken">The refresh token to revoke.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The HTTP status of the 2xx answer, or the classified failure.</returns>
    public Task<NetSuiteResult<int>> RevokeAsync(
        NetSuiteAccountId account,
        OAuth2ClientAuthentication client,
        string refreshToken,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(refreshToken);
        var form = new List<KeyValuePair<string, string>> { new("token", refreshToken) };
        var request = new HttpRequestMessage(HttpMethod.Post, _endpoints.Revoke(account)).ForNetSuite(account, NetSuiteCallSafety.SafeToRetry);
        client.Apply(request, form);
        request.Content = new FormUrlEncodedContent(form);
        return SendAndDisposeAsync(request, (response, _) => NetSuiteResult<int>.Success((int)response.StatusCode), cancellationToken);
    }

    /// <summary>
    /// Gets an access token with the client-credentials (M2M) grant: <c>grant_type=client_credentials</c>,
    /// <c>client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer</c>, <c>client_assertion</c>;
    /// no Basic header. No refresh token is returned. Safe to retry: nothing single-use is consumed (each assertion
    /// may be replayed only within its short lifetime, and a retry sends the same one).
    /// </summary>
    /// <param name="account">The account.</param>
    /// <param name="clientAssertion">The signed JWT from <see cref="Jwt.NetSuiteClientAssertionBuilder"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The access token, or the classified failure.</returns>
    public Task<NetSuiteResult<TokenResponse>> ClientCredentialsAsync(
        NetSuiteAccountId account,
        string clientAssertion,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientAssertion);
        if (clientAssertion.Count(c => c == '.') != 2)
        {
            throw new ArgumentException("The client assertion must be a compact JWS (header.payload.signature).", nameof(clientAssertion));
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_assertion_type", JwtBearerAssertionType),
            new("client_assertion", clientAssertion),
        };
        return SendTokenRequestAsync(account, client: null, _endpoints.Token(account), form, NetSuiteCallSafety.SafeToRetry, requireRefreshToken: false, cancellationToken);
    }

    private Task<NetSuiteResult<TokenResponse>> SendTokenRequestAsync(
        NetSuiteAccountId account,
        OAuth2ClientAuthentication? client,
        Uri url,
        List<KeyValuePair<string, string>> form,
        NetSuiteCallSafety safety,
        bool requireRefreshToken,
        CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url).ForNetSuite(account, safety);
        client?.Apply(request, form);
        request.Content = new FormUrlEncodedContent(form);
        return SendAndDisposeAsync(
            request,
            (response, body) => TokenResponse.Parse(response, body, requireRefreshToken),
            cancellationToken);
    }

    private async Task<NetSuiteResult<T>> SendAndDisposeAsync<T>(
        HttpRequestMessage request,
        Func<HttpResponseMessage, string, NetSuiteResult<T>> onSuccess,
        CancellationToken cancellationToken)
    {
        using (request)
        {
            return await NetSuiteHttp.SendAsync(_http, request, onSuccess, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
