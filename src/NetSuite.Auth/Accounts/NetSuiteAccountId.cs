using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace NetSuite.Auth;

/// <summary>
/// A NetSuite account id in normalised form. Accepts <c>1234567</c>, <c>1234567_SB1</c>, <c>1234567-sb1</c> and
/// <c>TSTDRV1234567</c> (case-insensitive). Two ids are equal when their normalised forms are equal.
/// </summary>
/// <remarks>
/// The OAuth 1.0a realm is uppercase with an underscore (<c>1234567_SB1</c>); host names are lowercase with a
/// hyphen (<c>1234567-sb1.suitetalk.api.netsuite.com</c>). A lowercase realm such as <c>1234567_sb1</c> makes
/// NetSuite answer "Invalid login attempt", which is why the realm is always produced from this type.
/// </remarks>
public sealed partial class NetSuiteAccountId : IEquatable<NetSuiteAccountId>
{
    private const string AcceptedForms = "1234567, 1234567_SB1, 1234567-sb1 or TSTDRV1234567";

    private NetSuiteAccountId(string realm)
    {
        Realm = realm;
        HostLabel = realm.ToLowerInvariant().Replace('_', '-');
    }

    /// <summary>The account id as NetSuite expects it in the OAuth 1.0a <c>realm</c> (e.g. <c>1234567_SB1</c>).</summary>
    public string Realm { get; }

    /// <summary>The account id as it appears in host names (e.g. <c>1234567-sb1</c>).</summary>
    public string HostLabel { get; }

    /// <summary>Whether the account is a sandbox (<c>_SB</c> suffix).</summary>
    public bool IsSandbox => Realm.Contains("_SB", StringComparison.Ordinal);

    /// <summary>Parses an account id.</summary>
    /// <param name="value">The account id in any accepted form.</param>
    /// <returns>The normalised account id.</returns>
    /// <exception cref="FormatException">The value is not an account id; the message names the value and the accepted forms.</exception>
    public static NetSuiteAccountId Parse(string value)
    {
        if (TryParse(value, out var account))
        {
            return account;
        }

        throw new FormatException($"'{value}' is not a NetSuite account id. Accepted forms: {AcceptedForms}.");
    }

    /// <summary>Tries to parse an account id.</summary>
    /// <param name="value">The account id in any accepted form, or null.</param>
    /// <param name="account">The normalised account id when the value is accepted; otherwise null.</param>
    /// <returns>True when the value is an accepted account id.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out NetSuiteAccountId? account)
    {
        account = null;

        // Surrounding spaces are forgiven, a newline or other control character is not: it is not what was meant.
        if (value is null || value.Any(char.IsControl))
        {
            return false;
        }

        var match = AccountPattern().Match(value.Trim(' '));
        if (!match.Success)
        {
            return false;
        }

        var realm = match.Groups["sb"].Success
            ? $"{match.Groups["id"].Value}_SB{match.Groups["sb"].Value}"
            : match.Groups["id"].Value.ToUpperInvariant();
        account = new NetSuiteAccountId(realm);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(NetSuiteAccountId? other) => other is not null && string.Equals(Realm, other.Realm, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NetSuiteAccountId);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Realm);

    /// <summary>Returns the realm form (e.g. <c>1234567_SB1</c>).</summary>
    /// <returns>The realm.</returns>
    public override string ToString() => Realm;

    /// <summary>Compares two account ids by normalised form.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>True when both are null or both have the same normalised form.</returns>
    public static bool operator ==(NetSuiteAccountId? left, NetSuiteAccountId? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two account ids by normalised form.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>True when the normalised forms differ.</returns>
    public static bool operator !=(NetSuiteAccountId? left, NetSuiteAccountId? right) => !(left == right);

    [GeneratedRegex(@"\A(?:(?<id>[0-9]{1,12})(?:[_-][Ss][Bb](?<sb>[0-9]{1,3}))?|(?<id>[Tt][Ss][Tt][Dd][Rr][Vv][0-9]{1,12}))\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AccountPattern();
}
