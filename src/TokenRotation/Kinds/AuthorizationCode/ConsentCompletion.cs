namespace TokenRotation.Kinds.AuthorizationCode;

/// <summary>What NetSuite sent to the callback, after the callback checked state, cookie, expiry and single use.</summary>
public sealed record ConsentCompletion(string Code, string CodeVerifier, string Company, string Role, string Entity)
{
    public override string ToString() => $"consent for company {Company}, role {Role}, entity {Entity}";
}
