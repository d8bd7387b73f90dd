using System.Diagnostics.CodeAnalysis;
using NetSuite.Auth;

namespace TokenRotation.Connections;

/// <summary>
/// Which NetSuite accounts a connection imported without an account may bind to at its first consent. Each entry is
/// an account id (<c>1234567</c>, <c>1234567_SB1</c>, <c>1234567-sb1</c>, <c>TSTDRV1234567</c>) or
/// <c>1234567_SB*</c> (also <c>1234567-sb*</c>): every sandbox of production account 1234567, but not 1234567
/// itself. An empty list allows any account. Entries are stored normalised (realm form).
/// </summary>
public static class AccountRestriction
{
    private const string SandboxWildcard = "_SB*";

    /// <summary>Whether the connection's account is still to be chosen by the first consent (imported without one).</summary>
    public static bool IsAccountPending(ConnectionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.Kind == ConnectionKind.OAuth2AuthorizationCode && string.IsNullOrEmpty(document.Account);
    }

    /// <summary>Normalises one entry; false (and a message naming the entry and the accepted forms) when it is not one.</summary>
    public static bool TryNormalize(string? entry, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? problem)
    {
        normalized = null;
        problem = null;
        var text = entry?.Trim() ?? "";
        if (text.EndsWith("_SB*", StringComparison.OrdinalIgnoreCase) || text.EndsWith("-SB*", StringComparison.OrdinalIgnoreCase))
        {
            var production = text[..^SandboxWildcard.Length];
            if (NetSuiteAccountId.TryParse(production, out var id) && !id.IsSandbox && production.All(char.IsAsciiDigit))
            {
                normalized = id.Realm + SandboxWildcard;
                return true;
            }
        }
        else if (NetSuiteAccountId.TryParse(text, out var id))
        {
            normalized = id.Realm;
            return true;
        }

        problem = $"'{text}' is not an allowed-account entry: use an account id (1234567, 1234567_SB1, 1234567-sb1, TSTDRV1234567) or 1234567_SB* for every sandbox of production account 1234567";
        return false;
    }

    /// <summary>Whether <paramref name="account"/> matches one of the normalised <paramref name="entries"/>; true when there are none.</summary>
    public static bool Allows(IReadOnlyCollection<string>? entries, NetSuiteAccountId account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (entries is null || entries.Count == 0)
        {
            return true;
        }

        foreach (var entry in entries)
        {
            if (entry.EndsWith(SandboxWildcard, StringComparison.Ordinal))
            {
                if (account.IsSandbox && account.Realm.StartsWith(entry[..^1], StringComparison.Ordinal)
                    && account.Realm.AsSpan(entry.Length - 1).ToString().All(char.IsAsciiDigit))
                {
                    return true;
                }
            }
            else if (string.Equals(entry, account.Realm, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The entries for messages (<c>1234567_SB*, 7654321</c>).</summary>
    public static string Describe(IReadOnlyCollection<string> entries) => string.Join(", ", entries);
}
