using System.Text;

namespace TokenRotation.Cli.Output;

/// <summary>
/// Tables and paragraphs that fit the terminal: columns keep their natural width when the table fits, otherwise the
/// widest ones shrink (never below their header) and their cells wrap at spaces. Colour is applied after padding, so
/// escape codes never count toward a width.
/// </summary>
public static class TextLayout
{
    /// <summary>The width assumed when the output is not a terminal (redirected, piped, tests).</summary>
    public const int DefaultWidth = 120;

    private const int Gap = 2;

    /// <summary>Renders rows under a header; <paramref name="colour"/> styles a padded cell given its column and raw text.</summary>
    public static string Table(IReadOnlyList<string> header, IReadOnlyList<string[]> rows, int width, Func<int, string, string, string>? colour = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();

        // A column never shrinks below its longest header word, nor below its longest word (up to 16), so words stay whole.
        var minimum = header.Select((h, i) => Math.Max(
            Math.Max(h.Split(' ').Max(w => w.Length), 6),
            Math.Min(16, rows.Count == 0 ? 0 : rows.Max(r => r[i].Split(' ').Max(w => w.Length))))).ToArray();
        Shrink(widths, minimum, width);

        // A narrow terminal: words and headers break too, down to 4 characters a column.
        Shrink(widths, widths.Select(_ => 4).ToArray(), width);

        var text = new StringBuilder();
        AppendRow(text, [.. header], widths, (_, _, cell) => cell);
        AppendRow(text, widths.Select(w => new string('-', w)).ToArray(), widths, (_, _, cell) => cell);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths, colour ?? ((_, _, cell) => cell));
        }

        return text.ToString();
    }

    private static void Shrink(int[] widths, int[] minimum, int width)
    {
        while (widths.Sum() + (Gap * (widths.Length - 1)) > width)
        {
            // Shrink the column with the most room above its minimum, one character at a time.
            var widest = -1;
            for (var i = 0; i < widths.Length; i++)
            {
                if (widths[i] > minimum[i] && (widest < 0 || widths[i] - minimum[i] > widths[widest] - minimum[widest]))
                {
                    widest = i;
                }
            }

            if (widest < 0)
            {
                break;
            }

            widths[widest]--;
        }
    }

    /// <summary>Breaks <paramref name="text"/> into lines of at most <paramref name="width"/> characters, at spaces where it can.</summary>
    public static IReadOnlyList<string> Wrap(string text, int width)
    {
        ArgumentNullException.ThrowIfNull(text);
        width = Math.Max(width, 1);
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var rest = paragraph.TrimEnd('\r');
            while (rest.Length > width)
            {
                var cut = Break(rest, width);
                if (cut < 0)
                {
                    break;
                }

                if (cut == 0)
                {
                    lines.Add(rest[..width]);
                    rest = rest[width..];
                }
                else
                {
                    lines.Add(rest[..cut]);
                    rest = rest[(cut + 1)..];
                }
            }

            lines.Add(rest);
        }

        return lines;
    }

    /// <summary>
    /// Where to break a line: the last space within the width that is not inside a `quoted command` (a command broken
    /// over two lines cannot be pasted; the terminal wraps it softly instead); the first such space after the width
    /// when there is none before; -1 when the line cannot be broken; 0 to cut a single long word.
    /// </summary>
    private static int Break(string text, int width)
    {
        var spaces = new List<int>();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '`')
            {
                quoted = !quoted;
            }
            else if (text[i] == ' ' && !quoted && i > 0)
            {
                spaces.Add(i);
            }
        }

        var within = spaces.LastOrDefault(i => i <= width);
        if (within > 0)
        {
            return within;
        }

        if (!text[..Math.Min(text.Length, width + 1)].Contains('`', StringComparison.Ordinal))
        {
            return 0;
        }

        return spaces.Count > 0 ? spaces[0] : -1;
    }

    /// <summary>A paragraph wrapped to the width with the first line after <paramref name="first"/> and the rest after <paramref name="rest"/>.</summary>
    public static string Indent(string text, int width, string first, string rest)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(rest);
        var lines = Wrap(text, width - rest.Length);
        var result = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            result.Append(i == 0 ? first : rest).Append(lines[i]).Append('\n');
        }

        return result.ToString();
    }

    /// <summary>Long ids (64-character token ids, certificate ids) cut to their first 8 characters for tables; JSON keeps them whole.</summary>
    public static string ShortId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length > 16 ? id[..8] + "…" : id;
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths, Func<int, string, string, string> colour)
    {
        var wrapped = cells.Select((c, i) => Wrap(c, widths[i])).ToArray();
        var height = wrapped.Max(w => w.Count);
        for (var line = 0; line < height; line++)
        {
            var row = new StringBuilder();
            for (var i = 0; i < cells.Length; i++)
            {
                var part = line < wrapped[i].Count ? wrapped[i][line] : "";
                var padded = i == cells.Length - 1 ? part : part.PadRight(widths[i] + Gap);
                row.Append(part.Length == 0 ? padded : colour(i, cells[i], padded));
            }

            text.Append(row.ToString().TrimEnd()).Append('\n');
        }
    }
}
