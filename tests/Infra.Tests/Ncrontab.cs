using System.Globalization;

namespace Infra.Tests;

/// <summary>
/// Checks a six-field NCRONTAB expression as the Functions timer trigger reads it:
/// {second} {minute} {hour} {day} {month} {day-of-week}.
/// </summary>
public static class Ncrontab
{
    private static readonly (int Min, int Max, string[] Names)[] Fields =
    [
        (0, 59, []),
        (0, 59, []),
        (0, 23, []),
        (1, 31, []),
        (1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        (0, 6, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ];

    /// <summary>Null when the expression is valid, else what is wrong with it.</summary>
    public static string? Problem(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            return $"'{expression}' has {fields.Length} fields; NCRONTAB for Functions has 6 (second first).";
        }

        for (var i = 0; i < fields.Length; i++)
        {
            foreach (var item in fields[i].Split(','))
            {
                if (!ItemIsValid(item, Fields[i]))
                {
                    return $"Field {i + 1} ('{fields[i]}') of '{expression}' is not valid.";
                }
            }
        }

        return null;
    }

    private static bool ItemIsValid(string item, (int Min, int Max, string[] Names) field)
    {
        var parts = item.Split('/');
        if (parts.Length > 2)
        {
            return false;
        }

        if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step < 1))
        {
            return false;
        }

        var range = parts[0];
        if (range == "*")
        {
            return true;
        }

        var bounds = range.Split('-');
        if (bounds.Length > 2 || bounds.Any(b => !ValueIsValid(b, field)))
        {
            return false;
        }

        return bounds.Length == 1 || Value(bounds[0], field) <= Value(bounds[1], field);
    }

    private static bool ValueIsValid(string text, (int Min, int Max, string[] Names) field)
    {
        var value = Value(text, field);
        return value >= field.Min && value <= field.Max;
    }

    private static int Value(string text, (int Min, int Max, string[] Names) field)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var index = Array.FindIndex(field.Names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? int.MinValue : field.Min + index;
    }
}
