using System.Security.Cryptography;
using System.Text;
using NetSuite.Auth;

namespace TokenRotation.Coordination;

/// <summary>Keys of leases and table rows, derived so that no e-mail or consent state appears in them.</summary>
internal static class CoordinationKeys
{
    /// <summary>The account as a lowercase host label (<c>1234567-sb1</c>), safe in blob names and lease keys.</summary>
    public static string AccountLabel(string account)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        if (NetSuiteAccountId.TryParse(account, out var id))
        {
            return id.HostLabel;
        }

        var builder = new StringBuilder(account.Length);
        foreach (var c in account.Trim().ToLowerInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        return builder.ToString();
    }

    /// <summary>The account in realm form (<c>1234567_SB1</c>), the partition key of per-account rows.</summary>
    public static string AccountRealm(string account)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        return NetSuiteAccountId.TryParse(account, out var id) ? id.Realm : AccountLabel(account).ToUpperInvariant();
    }

    /// <summary>Lease key of slot <paramref name="slot"/> of the account's gate: <c>gate-{account}-{slot}</c>.</summary>
    public static string GateSlot(string account, int slot) => $"gate-{AccountLabel(account)}-{slot}";

    /// <summary>Lowercase hex SHA-256 of the UTF-8 text.</summary>
    public static string Sha256Hex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Row key of a NetSuite user: the SHA-256 of the trimmed, lowercase e-mail.</summary>
    public static string UserRow(string email)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        return Sha256Hex(email.Trim().ToLowerInvariant());
    }
}
