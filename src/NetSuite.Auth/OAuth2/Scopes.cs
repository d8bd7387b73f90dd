namespace NetSuite.Auth.OAuth2;

/// <summary>The OAuth 2.0 scopes NetSuite grants. Combine with <c>|</c>; <see cref="Mcp"/> must be used alone.</summary>
[Flags]
public enum NetSuiteScopes
{
    /// <summary>No scope (invalid in a request).</summary>
    None = 0,

    /// <summary><c>restlets</c>: call RESTlets.</summary>
    Restlets = 1,

    /// <summary><c>rest_webservices</c>: call REST web services (also needed for the certificates endpoint).</summary>
    RestWebServices = 2,

    /// <summary><c>suite_analytics</c>: SuiteAnalytics Connect.</summary>
    SuiteAnalytics = 4,

    /// <summary><c>mcp</c>: the NetSuite AI connector; must be the only scope.</summary>
    Mcp = 8,
}

/// <summary>Converts <see cref="NetSuiteScopes"/> to and from NetSuite's scope strings.</summary>
public static class NetSuiteScopeValues
{
    /// <summary>The wire value of <see cref="NetSuiteScopes.Restlets"/>.</summary>
    public const string Restlets = "restlets";

    /// <summary>The wire value of <see cref="NetSuiteScopes.RestWebServices"/>.</summary>
    public const string RestWebServices = "rest_webservices";

    /// <summary>The wire value of <see cref="NetSuiteScopes.SuiteAnalytics"/>.</summary>
    public const string SuiteAnalytics = "suite_analytics";

    /// <summary>The wire value of <see cref="NetSuiteScopes.Mcp"/>.</summary>
    public const string Mcp = "mcp";

    private static readonly (NetSuiteScopes Flag, string Value)[] All =
    [
        (NetSuiteScopes.Restlets, Restlets),
        (NetSuiteScopes.RestWebServices, RestWebServices),
        (NetSuiteScopes.SuiteAnalytics, SuiteAnalytics),
        (NetSuiteScopes.Mcp, Mcp),
    ];

    /// <summary>The wire values of <paramref name="scopes"/>, in a fixed order (restlets, rest_webservices, suite_analytics, mcp).</summary>
    /// <param name="scopes">The scopes; must be valid (see <see cref="Validate"/>).</param>
    /// <exception cref="ArgumentException">The combination is empty, has unknown bits, or combines mcp with another scope.</exception>
    public static IReadOnlyList<string> ToValues(NetSuiteScopes scopes)
    {
        Validate(scopes);
        return [.. All.Where(s => scopes.HasFlag(s.Flag)).Select(s => s.Value)];
    }

    /// <summary>Parses a scope string separated by spaces, commas or <c>+</c> (for example <c>restlets rest_webservices</c>).</summary>
    /// <param name="value">The scope string.</param>
    /// <exception cref="FormatException">A value is not a NetSuite scope, or the result is not a valid combination.</exception>
    public static NetSuiteScopes Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var result = NetSuiteScopes.None;
        foreach (var part in value.Split([' ', ',', '+'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = All.FirstOrDefault(s => string.Equals(s.Value, part, StringComparison.Ordinal));
            if (match.Flag == NetSuiteScopes.None)
            {
                throw new FormatException(
                    $"'{part}' is not a NetSuite OAuth 2.0 scope; expected restlets, rest_webservices, suite_analytics or mcp.");
            }

            result |= match.Flag;
        }

        if (Problem(result) is { } problem)
        {
            throw new FormatException(problem);
        }

        return result;
    }

    /// <summary>Throws when <paramref name="scopes"/> is not a combination NetSuite accepts.</summary>
    /// <param name="scopes">The scopes to check.</param>
    /// <exception cref="ArgumentException">The combination is empty, has unknown bits, or combines mcp with another scope.</exception>
    public static void Validate(NetSuiteScopes scopes)
    {
        if (Problem(scopes) is { } problem)
        {
            throw new ArgumentException(problem, nameof(scopes));
        }
    }

    private static string? Problem(NetSuiteScopes scopes)
    {
        const NetSuiteScopes known = NetSuiteScopes.Restlets | NetSuiteScopes.RestWebServices | NetSuiteScopes.SuiteAnalytics | NetSuiteScopes.Mcp;
        if (scopes == NetSuiteScopes.None)
        {
            return "The scope parameter needs at least one of restlets, rest_webservices, suite_analytics or mcp.";
        }

        if ((scopes & ~known) != 0)
        {
            return $"The scope parameter has an unknown scope value ({(int)scopes}).";
        }

        // Oracle: "any combination separated by a space, except mcp which must be used alone" [ORA section_158081944642].
        if (scopes.HasFlag(NetSuiteScopes.Mcp) && scopes != NetSuiteScopes.Mcp)
        {
            return "The scope parameter combines mcp with other scopes; NetSuite requires mcp to be used alone.";
        }

        return null;
    }
}
