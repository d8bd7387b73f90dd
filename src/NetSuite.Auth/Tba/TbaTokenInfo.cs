namespace NetSuite.Auth.Tba;

/// <summary>What <c>tokeninfo</c> tells about a token. NetSuite does not document the field names, so each may be null.</summary>
/// <param name="CompanyId">The account (company) id, in realm form.</param>
/// <param name="CompanyName">The company name.</param>
/// <param name="RoleId">The role's internal id.</param>
/// <param name="RoleName">The role's name.</param>
/// <param name="EntityId">The user's (entity's) internal id.</param>
public sealed record TbaTokenInfo(string? CompanyId, string? CompanyName, string? RoleId, string? RoleName, string? EntityId);

/// <summary>The outcome of a successful revoke or verification call.</summary>
/// <param name="StatusCode">The 2xx status NetSuite answered with.</param>
public sealed record TbaCallOutcome(int StatusCode);
