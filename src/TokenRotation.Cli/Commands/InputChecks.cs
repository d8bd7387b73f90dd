using System.Text.RegularExpressions;

namespace TokenRotation.Cli.Commands;

/// <summary>
/// Checks of the values operators type. Each pattern matches the whole value (<c>\A...\z</c>: .NET's <c>$</c> also
/// matches before a final newline), so a pasted newline or other control character is refused with the option named
/// instead of being stored in a connection.
/// </summary>
internal static partial class InputChecks
{
    /// <summary>A NetSuite internal id (role, entity): digits, negative for a few built-in records.</summary>
    public static bool TryInternalId(CliConsole console, string option, string? value, bool optional = false) =>
        (optional && value is null) || Accept(console, option, value, InternalId().IsMatch(value ?? ""), "is not a NetSuite internal id (digits, e.g. 1000)");

    public static bool TryEmail(CliConsole console, string option, string? value) =>
        Accept(console, option, value, value is { Length: <= 254 } && Email().IsMatch(value), "is not an e-mail address");

    /// <summary>A Key Vault object name (also a file or folder name in the local stores).</summary>
    public static bool TryVaultName(CliConsole console, string option, string? value, bool optional = false) =>
        (optional && value is null) || Accept(console, option, value, VaultName().IsMatch(value ?? ""), "is not a Key Vault name: use 1 to 127 letters, digits or '-'");

    /// <summary>An id NetSuite or Key Vault gave (client id, consumer key, token id, certificate id, key version).</summary>
    public static bool TryToken(CliConsole console, string option, string? value, bool optional = false) =>
        (optional && value is null) || Accept(console, option, value, Token().IsMatch(value ?? ""), "has spaces or control characters; copy the value again");

    private static bool Accept(CliConsole console, string option, string? value, bool valid, string problem)
    {
        if (!valid)
        {
            console.Error.WriteLine($"{option}: '{Printable(value)}' {problem}.");
        }

        return valid;
    }

    /// <summary>The value as it can be shown on one line: control characters as escapes, long values cut.</summary>
    public static string Printable(string? value)
    {
        if (value is null)
        {
            return "";
        }

        var shown = string.Concat(value.Take(80).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return value.Length > 80 ? shown + "..." : shown;
    }

    [GeneratedRegex(@"\A-?[0-9]{1,18}\z", RegexOptions.CultureInvariant)]
    private static partial Regex InternalId();

    [GeneratedRegex(@"\A[^\s@\p{C}]+@[^\s@\p{C}]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"\A[0-9A-Za-z-]{1,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex VaultName();

    [GeneratedRegex(@"\A[^\s\p{C}]{1,512}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
