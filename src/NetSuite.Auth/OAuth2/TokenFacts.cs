using System.Buffers.Text;
using System.Text.Json;

namespace NetSuite.Auth.OAuth2;

/// <summary>What a NetSuite token's <c>jti</c> says it is.</summary>
public enum NetSuiteTokenKind
{
    /// <summary>The <c>jti</c> does not tell.</summary>
    Unknown,

    /// <summary>An access token (<c>jti</c> contains <c>.a.</c> or starts <c>.a-</c>).</summary>
    Access,

    /// <summary>A refresh token (<c>jti</c> contains <c>.r.</c> or <c>.r-</c>).</summary>
    Refresh,
}

/// <summary>
/// The claims of a NetSuite OAuth 2.0 access or refresh token, read WITHOUT validating the signature: to us the
/// tokens are opaque credentials, but their lifetimes must come from them (reference sections 1.6 and 7).
/// Holds no part of the token itself.
/// </summary>
public sealed record NetSuiteTokenFacts
{
    /// <summary>The header's <c>alg</c> (Oracle samples: RS256).</summary>
    public string? Algorithm { get; init; }

    /// <summary>The header's <c>kid</c> (e.g. <c>s.SYSTEM.2020_1</c>).</summary>
    public string? KeyId { get; init; }

    /// <summary><c>exp</c>: when the token expires. Always present (a token without it is rejected as malformed).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary><c>iat</c>: when the token was issued.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary><c>oit</c>: when the first token of the chain was issued (meaningful for public clients).</summary>
    public DateTimeOffset? OriginalIssuedAt { get; init; }

    /// <summary><c>sub</c> as sent: <c>role;entity</c>, or the longer five-field form of an older access-token sample.</summary>
    public string? Subject { get; init; }

    /// <summary>
    /// The role id from <c>sub</c>: the first of <c>role;entity</c>, the third of the five-field form
    /// (<c>4030059;0;3;7;N</c>). Null when <c>sub</c> has another shape.
    /// </summary>
    public string? RoleId { get; init; }

    /// <summary>The entity id from <c>sub</c>: the second of <c>role;entity</c>, the fourth of the five-field form. Null when <c>sub</c> has another shape.</summary>
    public string? EntityId { get; init; }

    /// <summary><c>aud</c>, whether sent as a string or an array (NetSuite: <c>ApplicationID;company</c> and the client id).</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary><c>scope</c>, whether sent as an array or a space/comma-separated string.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary><c>iss</c> (<c>https://system.netsuite.com</c>).</summary>
    public string? Issuer { get; init; }

    /// <summary><c>jti</c>, the token's id.</summary>
    public string? TokenId { get; init; }

    /// <summary>Access or refresh token, from the <c>jti</c> markers <c>.a.</c> / <c>.r.</c>.</summary>
    public NetSuiteTokenKind Kind { get; init; }

    /// <summary>The company (account) id from the first <c>aud</c> value of the form <c>ApplicationID;company</c>, when present.</summary>
    public string? Company => Audiences.Select(a => a.Split(';')).FirstOrDefault(p => p.Length == 2)?[1];

    /// <summary>The time left until <see cref="ExpiresAt"/> (negative when expired).</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns><c>exp - now</c>.</returns>
    public TimeSpan RemainingLifetime(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return ExpiresAt - timeProvider.GetUtcNow();
    }

    /// <summary>Reads the facts of a NetSuite JWT without validating its signature.</summary>
    /// <param name="token">The access or refresh token.</param>
    /// <returns>The facts.</returns>
    /// <exception cref="FormatException">The token is not a JWT with a JSON payload and an <c>exp</c>; the message never contains the token.</exception>
    public static NetSuiteTokenFacts Read(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Parse(token, out var problem) ?? throw new FormatException(problem);
    }

    /// <summary>Reads the facts of a NetSuite JWT, returning false instead of throwing when it is malformed.</summary>
    /// <param name="token">The access or refresh token.</param>
    /// <param name="facts">The facts, when readable.</param>
    /// <returns>True when the token could be read.</returns>
    public static bool TryRead(string? token, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NetSuiteTokenFacts? facts)
    {
        facts = token is null ? null : Parse(token, out _);
        return facts is not null;
    }

    private static NetSuiteTokenFacts? Parse(string token, out string problem)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            problem = $"The token is not a JWT: expected 3 dot-separated parts, found {parts.Length}.";
            return null;
        }

        if (Decode(parts[0], "header", out problem) is not { } header || Decode(parts[1], "payload", out problem) is not { } payload)
        {
            return null;
        }

        using (header)
        using (payload)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "The token's header and payload must be JSON objects.";
                return null;
            }

            var claims = payload.RootElement;
            if (ReadTime(claims, "exp", out problem) is not { } expires)
            {
                problem = problem.Length > 0 ? problem : "The token has no exp claim, so its lifetime is unknown.";
                return null;
            }

            var issuedAt = ReadTime(claims, "iat", out problem);
            var originalIssuedAt = problem.Length == 0 ? ReadTime(claims, "oit", out problem) : null;
            if (problem.Length > 0)
            {
                return null;
            }

            var subject = ReadString(claims, "sub");
            var (roleId, entityId) = RoleAndEntity(subject);
            var tokenId = ReadString(claims, "jti");
            return new NetSuiteTokenFacts
            {
                Algorithm = ReadString(header.RootElement, "alg"),
                KeyId = ReadString(header.RootElement, "kid"),
                ExpiresAt = expires,
                IssuedAt = issuedAt,
                OriginalIssuedAt = originalIssuedAt,
                Subject = subject,
                RoleId = roleId,
                EntityId = entityId,
                Audiences = ReadList(claims, "aud"),
                Scopes = ReadList(claims, "scope"),
                Issuer = ReadString(claims, "iss"),
                TokenId = tokenId,
                Kind = KindOf(tokenId),
            };
        }
    }

    // NetSuite topic 1.6: refresh tokens carry role;entity; an older access-token sample carries five fields with role and
    // entity in the 3rd and 4th place. Any other shape is unknown, never an error: the token may be single use.
    private static (string? Role, string? Entity) RoleAndEntity(string? subject)
    {
        var fields = subject?.Split(';') ?? [];
        var (role, entity) = fields.Length switch
        {
            2 => (fields[0], fields[1]),
            5 => (fields[2], fields[3]),
            _ => ("", ""),
        };
        return role.Length > 0 && entity.Length > 0 ? (role, entity) : (null, null);
    }

    private static JsonDocument? Decode(string part, string name, out string problem)
    {
        problem = string.Empty;
        try
        {
            return JsonDocument.Parse(Base64Url.DecodeFromChars(part));
        }
        catch (FormatException)
        {
            problem = $"The token's {name} is not valid base64url.";
        }
        catch (JsonException)
        {
            problem = $"The token's {name} is not JSON.";
        }

        return null;
    }

    private static DateTimeOffset? ReadTime(JsonElement claims, string name, out string problem)
    {
        problem = string.Empty;
        if (!claims.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // GetDouble gives infinity rather than failing for huge numbers; the range check catches that.
        if (value.ValueKind == JsonValueKind.Number && value.GetDouble() is var seconds
            && seconds >= 0 && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Floor(seconds * 1000));
        }

        problem = $"The token's {name} claim is not a number of seconds since 1970.";
        return null;
    }

    private static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static string[] ReadList(JsonElement claims, string name)
    {
        if (!claims.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.Array => [.. value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : null).OfType<string>()],
            JsonValueKind.String => value.ToString().Split([' ', ','], StringSplitOptions.RemoveEmptyEntries),
            _ => [],
        };
    }

    private static NetSuiteTokenKind KindOf(string? tokenId) => tokenId switch
    {
        null => NetSuiteTokenKind.Unknown,
        _ when tokenId.Contains(".a.", StringComparison.Ordinal) || tokenId.Contains(".a-", StringComparison.Ordinal) => NetSuiteTokenKind.Access,
        _ when tokenId.Contains(".r.", StringComparison.Ordinal) || tokenId.Contains(".r-", StringComparison.Ordinal) => NetSuiteTokenKind.Refresh,
        _ => NetSuiteTokenKind.Unknown,
    };
}
