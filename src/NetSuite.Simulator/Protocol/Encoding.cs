using System.Buffers;
using System.Text;

namespace NetSuite.Simulator.Protocol;

/// <summary>Percent-encoding (RFC 3986 / RFC 5849 §3.6) and Base64url helpers, written for the simulator.</summary>
public static class PercentEncoding
{
    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");

    /// <summary>Encodes every byte of the UTF-8 form except RFC 3986 unreserved characters, uppercase hex.</summary>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAnyExcept(Unreserved) < 0)
        {
            return value;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            var c = (char)b;
            if (b < 0x80 && Unreserved.Contains(c))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }

        return sb.ToString();
    }

    /// <summary>Decodes %XX sequences (UTF-8). When <paramref name="plusIsSpace"/> is set, '+' becomes a space (form encoding).</summary>
    public static string Decode(string value, bool plusIsSpace)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.IndexOf('%') < 0 && (!plusIsSpace || value.IndexOf('+') < 0))
        {
            return value;
        }

        var buffer = new byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                buffer[n++] = (byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                buffer[n++] = (byte)' ';
            }
            else
            {
                n += Encoding.UTF8.GetBytes(value.AsSpan(i, char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1), buffer.AsSpan(n));
                if (char.IsHighSurrogate(c) && i + 1 < value.Length)
                {
                    i++;
                }
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Parses a raw query string (with or without the leading '?') into decoded name/value pairs, in order.</summary>
    public static List<KeyValuePair<string, string>> ParseQuery(string? rawQuery)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(rawQuery))
        {
            return result;
        }

        var span = rawQuery.AsSpan();
        if (span[0] == '?')
        {
            span = span[1..];
        }

        foreach (var range in span.Split('&'))
        {
            var part = span[range];
            if (part.IsEmpty)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? ReadOnlySpan<char>.Empty : part[(eq + 1)..];
            result.Add(new(Decode(name.ToString(), plusIsSpace: true), Decode(value.ToString(), plusIsSpace: true)));
        }

        return result;
    }
}

/// <summary>Base64url without padding (RFC 7515 §2).</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static string Encode(string utf8) => Encode(Encoding.UTF8.GetBytes(utf8));

    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
