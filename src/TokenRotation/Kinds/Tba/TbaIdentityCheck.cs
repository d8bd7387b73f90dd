using NetSuite.Auth;
using NetSuite.Auth.Tba;
using TokenRotation.Connections;

namespace TokenRotation.Kinds.Tba;

/// <summary>
/// The one TBA identity check (architecture section 11): a signed <c>tokeninfo</c> call with a token, compared with the
/// account, role and entity the connection expects. The import, a rotation's verify step and <c>nstoken doctor</c> use
/// it. The caller holds the account's gate.
/// </summary>
public sealed class TbaIdentityCheck(NetSuiteTbaClient tba)
{
    /// <summary>Calls tokeninfo with <paramref name="token"/> and compares; a null expectation is not compared.</summary>
    public async Task<TbaIdentity> CheckAsync(
        NetSuiteAccountId account, TbaDefinition definition, RotatedCredential token, string? expectedRole, string? expectedEntity, CancellationToken cancellationToken)
    {
        var info = await TokenInfoAsync(account, definition, token, cancellationToken).ConfigureAwait(false);
        return info.IsSuccess
            ? new TbaIdentity(info.Value, null, Compare(account, expectedRole, expectedEntity, info.Value))
            : new TbaIdentity(null, info.Error, []);
    }

    /// <summary>Only the tokeninfo call, for a check whose expectations come from another token's answer.</summary>
    public Task<NetSuiteResult<TbaTokenInfo>> TokenInfoAsync(NetSuiteAccountId account, TbaDefinition definition, RotatedCredential token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(token);
        return tba.TokenInfoAsync(new TbaCredentials(account, definition.ConsumerKey, definition.ConsumerSecret, token.Id, token.Secret ?? ""), cancellationToken);
    }

    /// <summary>What tokeninfo shows that differs from the expectation: another account, role or entity (in that order).</summary>
    public static IReadOnlyList<TbaIdentityMismatch> Compare(NetSuiteAccountId account, string? expectedRole, string? expectedEntity, TbaTokenInfo info)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(info);
        var mismatches = new List<TbaIdentityMismatch>();
        if (info.CompanyId is { } company && (!NetSuiteAccountId.TryParse(company, out var parsed) || parsed != account))
        {
            mismatches.Add(new TbaIdentityMismatch(TbaIdentityField.Account, company, account.ToString()));
        }

        if (expectedRole is not null && info.RoleId is { } role && role != expectedRole)
        {
            mismatches.Add(new TbaIdentityMismatch(TbaIdentityField.Role, role, expectedRole));
        }

        if (expectedEntity is not null && info.EntityId is { } entity && entity != expectedEntity)
        {
            mismatches.Add(new TbaIdentityMismatch(TbaIdentityField.Entity, entity, expectedEntity));
        }

        return mismatches;
    }
}
