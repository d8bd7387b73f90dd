using System.Text;

namespace Testing.Shared;

/// <summary>Finds secrets in log lines: raw, URL-encoded and base64, indexed by a 24-character prefix.</summary>
public static class LogLeaks
{
    private const int Key = 24;

    public static IReadOnlyList<string> Find(IReadOnlyList<string> lines, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(secrets);
        var forms = new Dictionary<string, List<(string Form, string Encoding)>>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            foreach (var (form, encoding) in new[] { (secret, "raw"), (Uri.EscapeDataString(secret), "url"), (Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), "base64") }.DistinctBy(f => f.Item1))
            {
                var key = form[..Key];
                if (!forms.TryGetValue(key, out var list))
                {
                    forms[key] = list = [];
                }

                list.Add((form, encoding));
            }
        }

        var lookup = forms.GetAlternateLookup<ReadOnlySpan<char>>();
        var leaks = new List<string>();
        foreach (var line in lines)
        {
            for (var i = 0; i + Key <= line.Length; i++)
            {
                if (lookup.TryGetValue(line.AsSpan(i, Key), out var candidates))
                {
                    foreach (var (form, encoding) in candidates)
                    {
                        if (line.AsSpan(i).StartsWith(form, StringComparison.Ordinal))
                        {
                            leaks.Add($"{encoding} secret ({form[..6]}...) in: {line[..Math.Min(line.Length, 200)]}");
                        }
                    }
                }
            }
        }

        return leaks;
    }
}
