using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace NetSuite.Simulator.Protocol;

/// <summary>
/// RFC 6238 TOTP (HMAC-SHA1, 30-second steps) as authenticator apps compute it for NetSuite's
/// <c>nlauth_otp</c> (NetSuite topic 3.2). The simulator's own implementation.
/// </summary>
public static class Totp
{
    public const int StepSeconds = 30;

    /// <summary>The time step (counter) for a Unix time.</summary>
    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The code for a Base32 secret (the string NetSuite shows next to the QR code) at a time.</summary>
    public static string Compute(string base32Secret, DateTimeOffset time, int digits = 6) =>
        ComputeForStep(Base32.Decode(base32Secret), StepAt(time), digits);

    /// <summary>The code for a raw key and a counter (RFC 4226 dynamic truncation).</summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "RFC 6238 TOTP is defined over HMAC-SHA1 and authenticator apps (NetSuite's 2FA) use it; HMAC-SHA1 is not the broken use of SHA-1.")]
    public static string ComputeForStep(byte[] key, long step, int digits = 6, HashAlgorithmName? algorithm = null)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var alg = algorithm ?? HashAlgorithmName.SHA1;
        var mac = alg == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, counter)
            : alg == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(key, counter)
            : HMACSHA1.HashData(key, counter);
        var offset = mac[^1] & 0x0F;
        var binary = ((mac[offset] & 0x7F) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
        var modulo = (int)Math.Pow(10, digits);
        return (binary % modulo).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// Finds the step within ±<paramref name="window"/> steps of <paramref name="now"/> whose code equals
    /// <paramref name="code"/>; null when none does.
    /// </summary>
    public static long? MatchStep(string base32Secret, string code, DateTimeOffset now, int window)
    {
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var key = Base32.Decode(base32Secret);
        var current = StepAt(now);
        for (var delta = -window; delta <= window; delta++)
        {
            var candidate = ComputeForStep(key, current + delta);
            if (CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.ASCII.GetBytes(candidate), System.Text.Encoding.ASCII.GetBytes(code)))
            {
                return current + delta;
            }
        }

        return null;
    }

    /// <summary>A new random secret in Base32 (160 bits).</summary>
    public static string NewSecret() => Base32.Encode(RandomNumberGenerator.GetBytes(20));
}

/// <summary>RFC 4648 Base32 (uppercase alphabet, padding optional, spaces ignored).</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var sb = new System.Text.StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            sb.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return sb.ToString();
    }

    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var raw in text)
        {
            if (raw is ' ' or '=' or '-')
            {
                continue;
            }

            var index = Alphabet.IndexOf(char.ToUpperInvariant(raw), StringComparison.Ordinal);
            if (index < 0)
            {
                throw new FormatException("The TOTP secret is not Base32.");
            }

            buffer = (buffer << 5) | index;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)((buffer >> (bits - 8)) & 0xFF));
                bits -= 8;
            }
        }

        return [.. output];
    }
}
