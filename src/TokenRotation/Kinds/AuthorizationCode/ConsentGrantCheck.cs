using NetSuite.Auth;
using NetSuite.Auth.OAuth2;

namespace TokenRotation.Kinds.AuthorizationCode;

/// <summary>
/// Decides whether the tokens an authorization code was exchanged for may be kept. The role, entity and company of
/// the grant are read from the tokens NetSuite issued (the refresh token's <c>sub</c> first, then the access
/// token's, and <c>aud</c> for the company); the redirect's query, which the browser can edit, must agree with
/// them but never decides. Messages name only values read from NetSuite's tokens or the connection.
/// </summary>
internal static class ConsentGrantCheck
{
    /// <param name="connection">The connection's name, for messages.</param>
    /// <param name="account">The connection's account.</param>
    /// <param name="pinnedRole">The role the connection expects, or null before the first consent.</param>
    /// <param name="pinnedEntity">The entity the connection expects, or null before the first consent.</param>
    /// <param name="query">What the redirect's query said.</param>
    /// <param name="refresh">The issued refresh token's claims, when readable.</param>
    /// <param name="access">The issued access token's claims, when readable.</param>
    /// <returns>A refusal, or the role and entity to pin (both null when the tokens do not name them).</returns>
    public static ConsentGrantDecision Decide(
        string connection,
        NetSuiteAccountId account,
        string? pinnedRole,
        string? pinnedEntity,
        ConsentCompletion query,
        NetSuiteTokenFacts? refresh,
        NetSuiteTokenFacts? access)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(query);
        var named = new[] { refresh, access }.FirstOrDefault(f => f is { RoleId: not null, EntityId: not null });
        var company = refresh?.Company ?? access?.Company;

        if (company is not null)
        {
            if (!NetSuiteAccountId.TryParse(company, out var issuedFor) || issuedFor != account)
            {
                return ConsentGrantDecision.Refuse($"The consent came from NetSuite account {(issuedFor is null ? "(not readable)" : issuedFor.Realm)}, but {connection} expects account {account.Realm}, so it was not accepted. Log in to account {account.Realm} and consent again.");
            }

            if (!NetSuiteAccountId.TryParse(query.Company, out var claimed) || claimed != issuedFor)
            {
                return Disagrees(connection);
            }
        }

        if (named is null)
        {
            // Nothing to check against: a pinned connection cannot accept it, and the query is no substitute.
            return pinnedRole is null && pinnedEntity is null
                ? new ConsentGrantDecision(null, null, null)
                : ConsentGrantDecision.Refuse($"NetSuite's tokens for {connection} do not say which role and user they are for, so they cannot be checked against the role and user {connection} expects. Report this; the consent was not accepted.");
        }

        if (!string.Equals(query.Role, named.RoleId, StringComparison.Ordinal) || !string.Equals(query.Entity, named.EntityId, StringComparison.Ordinal))
        {
            return Disagrees(connection);
        }

        if (pinnedRole is not null && pinnedRole != named.RoleId)
        {
            return ConsentGrantDecision.Refuse($"The consent was given for role {named.RoleId}, but {connection} expects role {pinnedRole}. Use \"Choose Another Role\" on NetSuite's consent page.");
        }

        if (pinnedEntity is not null && pinnedEntity != named.EntityId)
        {
            return ConsentGrantDecision.Refuse($"The consent was given by user {named.EntityId}, but {connection} expects user {pinnedEntity}. Log in as the integration's user and consent again.");
        }

        return new ConsentGrantDecision(null, named.RoleId, named.EntityId);
    }

    private static ConsentGrantDecision Disagrees(string connection) => ConsentGrantDecision.Refuse(
        $"The role, user or account in this page's address does not match what NetSuite issued the tokens for, so the address was changed on its way and the consent for {connection} was not accepted. Open the consent link again and finish the consent without changing the address.");
}
