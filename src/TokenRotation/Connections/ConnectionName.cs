using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace TokenRotation.Connections;

/// <summary>
/// A connection's name. Key Vault secret names allow <c>[0-9A-Za-z-]</c> up to 127 characters; the state
/// secret carries a 5-character kind prefix (<c>conn-</c>), so a name is at most 100 characters. Names are
/// case-insensitive in Key Vault, so they are kept lowercase.
/// </summary>
public sealed partial class ConnectionName : IEquatable<ConnectionName>
{
    public const int MaxLength = 100;

    private ConnectionName(string value) => Value = value;

    public string Value { get; }

    public static ConnectionName Parse(string value) =>
        TryParse(value, out var name)
            ? name
            : throw new FormatException(
                $"'{Describe(value)}' is not a valid connection name: use 1-{MaxLength} letters, digits or '-', starting with a letter or digit.");

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out ConnectionName? name)
    {
        name = null;
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength || !Pattern().IsMatch(value))
        {
            return false;
        }

        name = new ConnectionName(value.ToLowerInvariant());
        return true;
    }

    public bool Equals(ConnectionName? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ConnectionName);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value;

    private static string Describe(string? value) =>
        value is null ? "(null)" : value.Length > 40 ? string.Concat(value.AsSpan(0, 40), "...") : value;

    [GeneratedRegex(@"\A[0-9A-Za-z][0-9A-Za-z-]*\z")]
    private static partial Regex Pattern();
}
