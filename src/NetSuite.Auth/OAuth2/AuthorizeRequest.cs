using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace NetSuite.Auth.OAuth2;

/// <summary>The <c>prompt</c> values of NetSuite's authorize endpoint. Combine <see cref="Login"/> and <see cref="Consent"/> for <c>login consent</c>.</summary>
[Flags]
public enum AuthorizePrompt
{
    /// <summary>No <c>prompt</c> parameter: the integration record's consent policy decides.</summary>
    Unspecified = 0,

    /// <summary><c>none</c>: no consent screen, an error when there is no session. Not allowed with the mcp scope, nor combined with another value.</summary>
    None = 1,

    /// <summary><c>login</c>: force authentication (account-specific domain only).</summary>
    Login = 2,

    /// <summary><c>consent</c>: always show the consent screen.</summary>
    Consent = 4,
}

/// <summary>The parameters of a NetSuite authorize (Step One) request. PKCE with S256 is always sent.</summary>
public sealed record NetSuiteAuthorizeRequest
{
    /// <summary>The integration record's client id (<c>client_id</c>).</summary>
    public required string ClientId { get; init; }

    /// <summary>The redirect URI (<c>redirect_uri</c>); must match one on the integration record exactly.</summary>
    public required Uri RedirectUri { get; init; }

    /// <summary>The requested scopes (<c>scope</c>).</summary>
    public required NetSuiteScopes Scopes { get; init; }

    /// <summary>The CSRF state (<c>state</c>): 22 to 1024 printable ASCII characters, unique per flow. See <see cref="NetSuiteAuthorizeUrl.CreateState"/>.</summary>
    public required string State { get; init; }

    /// <summary>The S256 code challenge (<c>code_challenge</c>), from <see cref="PkcePair.CodeChallenge"/>.</summary>
    public required string CodeChallenge { get; init; }

    /// <summary>The optional <c>prompt</c>.</summary>
    public AuthorizePrompt Prompt { get; init; }
}

/// <summary>Builds NetSuite's authorize URL (<c>/app/login/oauth2/authorize.nl</c>, NetSuite topic 1.1).</summary>
public static class NetSuiteAuthorizeUrl
{
    /// <summary>The shortest state NetSuite accepts.</summary>
    public const int MinStateLength = 22;

    /// <summary>The longest state NetSuite accepts.</summary>
    public const int MaxStateLength = 1024;

    /// <summary>Creates a random state of 43 base64url characters (256 bits).</summary>
    public static string CreateState() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Builds the authorize URL for <paramref name="account"/> from the configured endpoints.</summary>
    /// <param name="endpoints">The endpoint templates.</param>
    /// <param name="account">The NetSuite account.</param>
    /// <param name="request">The request parameters.</param>
    /// <returns>The URL to send the user's browser to.</returns>
    /// <exception cref="ArgumentException">A parameter is invalid; the message names it.</exception>
    public static Uri Build(NetSuiteEndpoints endpoints, NetSuiteAccountId account, NetSuiteAuthorizeRequest request)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(account);
        return Build(endpoints.Authorize(account), request);
    }

    /// <summary>Builds the authorize URL on <paramref name="authorizeEndpoint"/>; parameters are form-urlencoded.</summary>
    /// <param name="authorizeEndpoint">The authorize endpoint, e.g. <c>https://1234567.app.netsuite.com/app/login/oauth2/authorize.nl</c>.</param>
    /// <param name="request">The request parameters.</param>
    /// <returns>The URL to send the user's browser to.</returns>
    /// <exception cref="ArgumentException">A parameter is invalid; the message names it.</exception>
    public static Uri Build(Uri authorizeEndpoint, NetSuiteAuthorizeRequest request)
    {
        ArgumentNullException.ThrowIfNull(authorizeEndpoint);
        ArgumentNullException.ThrowIfNull(request);
        if (!NetSuiteEndpoints.IsAllowedUrl(authorizeEndpoint))
        {
            throw new ArgumentException(
                "The authorize endpoint must be an absolute https URL (plain http only for loopback).", nameof(authorizeEndpoint));
        }

        Validate(request);

        var query = new List<KeyValuePair<string, string>>
        {
            new("response_type", "code"),
            new("client_id", request.ClientId),
            new("redirect_uri", request.RedirectUri.OriginalString),
            new("scope", string.Join(' ', NetSuiteScopeValues.ToValues(request.Scopes))),
            new("state", request.State),
            new("code_challenge", request.CodeChallenge),
            new("code_challenge_method", Pkce.ChallengeMethod),
        };
        if (PromptValue(request) is { } prompt)
        {
            query.Add(new("prompt", prompt));
        }

        var builder = new UriBuilder(authorizeEndpoint);
        var existing = builder.Query.TrimStart('?');
        var encoded = FormUrlEncoding.Encode(query);
        builder.Query = existing.Length == 0 ? encoded : existing + "&" + encoded;
        return builder.Uri;
    }

    /// <summary>Whether <paramref name="state"/> is 22 to 1024 printable ASCII characters (0x20 to 0x7E).</summary>
    /// <param name="state">The candidate state.</param>
    public static bool IsValidState(string? state) =>
        state is { Length: >= MinStateLength and <= MaxStateLength } && state.All(c => c is >= ' ' and <= '~');

    private static void Validate(NetSuiteAuthorizeRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.ClientId))
        {
            throw Invalid("client_id", "is empty.", nameof(request));
        }

        if (request.RedirectUri is null || !request.RedirectUri.IsAbsoluteUri)
        {
            throw Invalid("redirect_uri", "must be an absolute URI.", nameof(request));
        }

        // NetSuite accepts https or a custom scheme (myapp://callback), never http [ORA section_157771733782];
        // http is let through for loopback so local tests can catch the redirect.
        if (request.RedirectUri.Scheme == Uri.UriSchemeHttp && !request.RedirectUri.IsLoopback)
        {
            throw Invalid("redirect_uri", "uses http; NetSuite accepts https or a custom scheme (http only for loopback in tests).", nameof(request));
        }

        if (request.RedirectUri.Fragment.Length > 0)
        {
            throw Invalid("redirect_uri", "must not have a fragment.", nameof(request));
        }

        try
        {
            NetSuiteScopeValues.Validate(request.Scopes);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException(ex.Message, nameof(request), ex);
        }

        if (!IsValidState(request.State))
        {
            throw Invalid(
                "state",
                $"must be {MinStateLength} to {MaxStateLength} printable ASCII characters; the given one has {request.State?.Length ?? 0} characters or contains other characters.",
                nameof(request));
        }

        if (!Pkce.IsS256ChallengeShape(request.CodeChallenge))
        {
            throw Invalid("code_challenge", "must be an S256 challenge: 43 base64url characters (see Pkce.Create).", nameof(request));
        }

        if (request.Prompt.HasFlag(AuthorizePrompt.None) && request.Scopes == NetSuiteScopes.Mcp)
        {
            throw Invalid("prompt", "none is not allowed with the mcp scope.", nameof(request));
        }
    }

    private static string? PromptValue(NetSuiteAuthorizeRequest request) => request.Prompt switch
    {
        AuthorizePrompt.Unspecified => null,
        AuthorizePrompt.None => "none",
        AuthorizePrompt.Login => "login",
        AuthorizePrompt.Consent => "consent",
        AuthorizePrompt.Login | AuthorizePrompt.Consent => "login consent",
        _ => throw Invalid("prompt", "must be none, login, consent, or login and consent together.", nameof(request)),
    };

    /// <summary>The failure of a request field; <paramref name="paramName"/> is the public method's argument (the request).</summary>
    private static ArgumentException Invalid(string parameter, string problem, string paramName) =>
        new($"The authorize parameter '{parameter}' {problem}", paramName);
}

/// <summary><c>application/x-www-form-urlencoded</c> encoding (space as <c>+</c>).</summary>
internal static class FormUrlEncoding
{
    public static string Encode(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }

            sb.Append(EncodeComponent(key)).Append('=').Append(EncodeComponent(value));
        }

        return sb.ToString();
    }

    // RFC 3986 unreserved characters stay as they are, everything else is %XX (UTF-8), space is '+':
    // the same output as FormUrlEncodedContent, and the encoding of Oracle's sample authorize URL.
    public static string EncodeComponent(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);
}
