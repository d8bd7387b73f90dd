using System.Globalization;
using System.Text.Json;

namespace NetSuite.Auth.OAuth2;

/// <summary>A successful answer of NetSuite's token endpoint. Holds credentials: <see cref="ToString"/> redacts them.</summary>
public sealed class TokenResponse
{
    /// <summary>
    /// The access token (a JWT, valid 60 minutes). Secret. Never null for a call that returns no single-use token (a
    /// confidential refresh, a client-credentials mint): such an answer without one is an error. Null only in the odd
    /// answer to a code exchange or a public client's refresh that carries a refresh token but no access token: the
    /// refresh token is kept (its code or predecessor is spent) and <see cref="Oddities"/> says so.
    /// </summary>
    public string? AccessToken { get; init; }

    /// <summary>
    /// The refresh token (a JWT), when NetSuite sent one: after a code exchange, and after a public client's refresh
    /// (single-use, it replaces the old one). Confidential clients keep their refresh token. Secret.
    /// </summary>
    public string? RefreshToken { get; init; }

    /// <summary><c>expires_in</c> (NetSuite: always 3600 s), when sent. Prefer the token's own <c>exp</c> (<see cref="NetSuiteTokenFacts"/>).</summary>
    public TimeSpan? ExpiresIn { get; init; }

    /// <summary><c>token_type</c> as sent (<c>bearer</c>, once <c>Bearer</c> in Oracle's samples).</summary>
    public string TokenType { get; init; } = "bearer";

    /// <summary><c>id_token</c>, only in the OpenID Connect provider flow. Secret.</summary>
    public string? IdToken { get; init; }

    /// <summary><c>scope</c>, when sent.</summary>
    public string? Scope { get; init; }

    /// <summary>
    /// What was odd about the answer but did not make it unusable (an <c>expires_in</c> that is not a whole number of
    /// seconds, for example). A refresh answer is never refused for these: its single-use refresh token must be kept.
    /// The texts name fields, never token values.
    /// </summary>
    public IReadOnlyList<string> Oddities { get; init; } = [];

    /// <summary>Describes the response with every token replaced by <c>***</c>.</summary>
    public override string ToString() =>
        $"TokenResponse {{ AccessToken = {(AccessToken is null ? "(none)" : "***")}, RefreshToken = {(RefreshToken is null ? "(none)" : "***")}, "
        + $"ExpiresIn = {(ExpiresIn is { } e ? e.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s" : "(none)")}, "
        + $"TokenType = {TokenType}, IdToken = {(IdToken is null ? "(none)" : "***")}, Scope = {Scope ?? "(none)"} }}";

    /// <summary>Parses a 2xx token-endpoint body tolerantly (unknown fields ignored); errors name the missing or bad field.</summary>
    /// <exception cref="JsonException">The body is not JSON (the shared sender turns this into <c>invalid_response</c>).</exception>
    internal static NetSuiteResult<TokenResponse> Parse(HttpResponseMessage response, string body, bool requireRefreshToken)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Invalid(response, "a token response that is not a JSON object");
        }

        var accessToken = ReadToken(root, "access_token");
        var refreshToken = ReadToken(root, "refresh_token");
        if (accessToken is null && !(requireRefreshToken && refreshToken is not null))
        {
            return Invalid(response, "a token response without access_token");
        }

        if (requireRefreshToken && refreshToken is null)
        {
            return Invalid(response, "a token response without refresh_token, though this grant must return one");
        }

        // Nothing past this point refuses the answer: a public client's refresh answer carries a single-use refresh
        // token (and a code exchange spends its code), and refusing the answer for one odd field would lose it.
        var oddities = new List<string>();
        if (accessToken is null)
        {
            oddities.Add("access_token is missing, empty or not a string although refresh_token was sent; the refresh token is kept");
        }

        var tokenType = NetSuiteHttp.GetScalar(root, "token_type") ?? "bearer";
        if (!string.Equals(tokenType, "bearer", StringComparison.OrdinalIgnoreCase))
        {
            oddities.Add($"token_type is '{Shorten(tokenType)}' instead of bearer; the tokens are kept");
        }
        TimeSpan? expiresIn = null;
        if (root.TryGetProperty("expires_in", out var expires) && expires.ValueKind != JsonValueKind.Null)
        {
            if (TryReadSeconds(expires, out var seconds, out var exact))
            {
                expiresIn = TimeSpan.FromSeconds(seconds);
                if (!exact)
                {
                    oddities.Add($"expires_in was sent as {Describe(expires)} rather than a whole number; read as {seconds.ToString(CultureInfo.InvariantCulture)} s");
                }
            }
            else
            {
                oddities.Add($"expires_in ({Describe(expires)}) is not a positive number of seconds; ignored");
            }
        }

        return NetSuiteResult<TokenResponse>.Success(new TokenResponse
        {
            AccessToken = accessToken,
            RefreshToken = refreshToken,
            ExpiresIn = expiresIn,
            TokenType = tokenType,
            IdToken = ReadToken(root, "id_token"),
            Scope = NetSuiteHttp.GetScalar(root, "scope"),
            Oddities = oddities,
        });
    }

    private static string? ReadToken(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.ToString() is var token && token.Length > 0
            ? token
            : null;

    /// <summary>Reads whole or decimal seconds, as a number or a string; <paramref name="exact"/> is false unless it was a JSON integer.</summary>
    private static bool TryReadSeconds(JsonElement value, out double seconds, out bool exact)
    {
        seconds = 0;
        exact = value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _);
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out seconds),
            JsonValueKind.String => double.TryParse(value.GetString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out seconds),
            _ => false,
        };
        return ok && double.IsFinite(seconds) && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a decimal number",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string value) => value.Length <= 20 ? value : value[..20] + "...";

    private static NetSuiteResult<TokenResponse> Invalid(HttpResponseMessage response, string what) =>
        NetSuiteResult<TokenResponse>.Failure(NetSuiteHttp.InvalidResponse(response, what));
}
