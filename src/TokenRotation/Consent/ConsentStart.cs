namespace TokenRotation.Consent;

/// <summary>What the consent start answers. <see cref="CookieValue"/> is the raw browser binding: only for the cookie.</summary>
public sealed record ConsentStart(
    ConsentStartStatus Status,
    string? Connection,
    string Message,
    string NextStep,
    Uri? AuthorizeUrl,
    string? CookieName,
    string? CookieValue,
    DateTimeOffset? CookieExpiresAt)
{
    public int StatusCode => Status switch
    {
        ConsentStartStatus.Redirect => 302,
        ConsentStartStatus.ExpiredLink => 410,
        ConsentStartStatus.UnknownConnection => 404,
        ConsentStartStatus.NotConsentable => 409,
        _ => 400,
    };

    public string Title => Status switch
    {
        ConsentStartStatus.Redirect => "Redirecting to NetSuite",
        ConsentStartStatus.ExpiredLink => "This consent link expired",
        ConsentStartStatus.UnknownConnection => "Unknown connection",
        ConsentStartStatus.NotConsentable => "No consent needed here",
        _ => "This consent link is not valid",
    };

    internal static ConsentStart Fail(ConsentStartStatus status, string? connection, string message, string nextStep) =>
        new(status, connection, message, nextStep, null, null, null, null);

    public override string ToString() => $"consent start {Status} for {Connection}";
}
