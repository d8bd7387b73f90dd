namespace NetSuite.Simulator.Protocol;

/// <summary>
/// NetSuite account id forms. The realm (OAuth 1.0a, <c>company</c>) is uppercase with <c>_</c>
/// (<c>1234567_SB1</c>); the host label is lowercase with <c>-</c> (<c>1234567-sb1</c>).
/// NetSuite topic 4.2: community evidence, consistent across sources.
/// </summary>
public static class AccountIds
{
    /// <summary>Realm form (<c>1234567_SB1</c>) of an account id given in either form.</summary>
    public static string ToRealm(string accountId)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        return accountId.Trim().ToUpperInvariant().Replace('-', '_');
    }

    /// <summary>Host-label form (<c>1234567-sb1</c>) of an account id given in either form.</summary>
    public static string ToHostLabel(string accountId)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        return accountId.Trim().ToLowerInvariant().Replace('_', '-');
    }

    /// <summary>True when the id has only letters, digits, '_' or '-' and starts with a letter or digit.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> accountId)
    {
        if (accountId.IsEmpty || accountId.Length > 64 || !char.IsAsciiLetterOrDigit(accountId[0]))
        {
            return false;
        }

        foreach (var c in accountId)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sandbox and release-preview accounts carry a suffix such as <c>_SB1</c> or <c>_RP1</c>.</summary>
    public static bool LooksLikeSandbox(string realm) =>
        realm.Contains("_SB", StringComparison.Ordinal) || realm.Contains("_RP", StringComparison.Ordinal);
}
