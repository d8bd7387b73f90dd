namespace TokenRotation.Consent;

/// <summary>What NetSuite's redirect carried, read from the query string; the cookie is read by name on demand.</summary>
public sealed record ConsentCallback
{
    public string? State { get; init; }

    public string? Code { get; init; }

    public string? Error { get; init; }

    public string? Company { get; init; }

    public string? Role { get; init; }

    public string? Entity { get; init; }

    /// <summary>A parameter appeared more than once: the request is refused.</summary>
    public bool HasRepeatedParameters { get; init; }

    /// <summary>Reads a request cookie by name; null when absent.</summary>
    public Func<string, string?> ReadCookie { get; init; } = static _ => null;

    public override string ToString() => $"consent callback (company {Company}, role {Role}, entity {Entity}, error {Error})";
}
