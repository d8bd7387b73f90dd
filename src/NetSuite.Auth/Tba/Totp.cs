using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace NetSuite.Auth.Tba;

/// <summary>
/// RFC 6238 time-based one-time passwords for <c>nlauth_otp</c>: HMAC-SHA1, 6 digits, 30-second steps by default.
/// NetSuite accepts each code once, so a caller that needs a second code must wait for the next step.
/// </summary>
public static class Totp
{
    /// <summary>The step NetSuite uses.</summary>
    public static readonly TimeSpan DefaultStep = TimeSpan.FromSeconds(30);

    /// <summary>Computes the code for a time.</summary>
    /// <param name="secret">The shared secret bytes.</param>
    /// <param name="time">The time.</param>
    /// <param name="digits">Digits of the code (6 for NetSuite; 6 to 9).</param>
    /// <param name="algorithm">HMAC hash: SHA1 (NetSuite), SHA256 or SHA512; null means SHA1.</param>
    /// <param name="step">Time step; null means 30 s.</param>
    /// <returns>The zero-padded code.</returns>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "RFC 6238 TOTP is defined over HMAC-SHA1 and authenticator apps (NetSuite's 2FA) use it; HMAC-SHA1 is not the broken use of SHA-1.")]
    public static string Compute(ReadOnlySpan<byte> secret, DateTimeOffset time, int digits = 6, HashAlgorithmName? algorithm = null, TimeSpan? step = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 6);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 9);
        if (secret.IsEmpty)
        {
            throw new ArgumentException("The TOTP secret must not be empty.", nameof(secret));
        }

        var counter = GetTimeStep(time, step);
        Span<byte> message = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);

        var name = algorithm ?? HashAlgorithmName.SHA1;
        byte[] hash;
        if (name == HashAlgorithmName.SHA1)
        {
            hash = HMACSHA1.HashData(secret, message);
        }
        else if (name == HashAlgorithmName.SHA256)
        {
            hash = HMACSHA256.HashData(secret, message);
        }
        else if (name == HashAlgorithmName.SHA512)
        {
            hash = HMACSHA512.HashData(secret, message);
        }
        else
        {
            throw new ArgumentException($"TOTP supports SHA1, SHA256 and SHA512, not {name.Name}.", nameof(algorithm));
        }

        // Dynamic truncation (RFC 4226 section 5.3).
        var offset = hash[^1] & 0x0F;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset, 4)) & 0x7FFFFFFF) % Pow10(digits);
        return binary.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>Computes the NetSuite code (SHA1, 6 digits, 30 s) from the Base32 secret shown beside the 2FA QR code.</summary>
    /// <param name="base32Secret">The Base32 secret (spaces, hyphens, padding and case ignored).</param>
    /// <param name="time">The time.</param>
    /// <returns>The 6-digit code.</returns>
    public static string Compute(string base32Secret, DateTimeOffset time) => Compute(DecodeBase32(base32Secret), time);

    /// <summary>The RFC 6238 counter: whole steps since the Unix epoch.</summary>
    /// <param name="time">The time.</param>
    /// <param name="step">Time step; null means 30 s.</param>
    /// <returns>The counter.</returns>
    public static long GetTimeStep(DateTimeOffset time, TimeSpan? step = null)
    {
        var seconds = (long)(step ?? DefaultStep).TotalSeconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1, nameof(step));
        return time.ToUnixTimeSeconds() / seconds;
    }

    /// <summary>Time left until the next step begins (when a fresh code becomes available).</summary>
    /// <param name="time">The time.</param>
    /// <param name="step">Time step; null means 30 s.</param>
    /// <returns>The remaining time, greater than zero.</returns>
    public static TimeSpan TimeUntilNextStep(DateTimeOffset time, TimeSpan? step = null)
    {
        var size = step ?? DefaultStep;
        var next = DateTimeOffset.FromUnixTimeSeconds((GetTimeStep(time, size) + 1) * (long)size.TotalSeconds);
        return next - time;
    }

    /// <summary>Decodes RFC 4648 Base32 (case-insensitive; spaces, hyphens and <c>=</c> padding ignored).</summary>
    /// <param name="value">The Base32 text.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="FormatException">The text has a character outside the Base32 alphabet (the message does not repeat the text).</exception>
    public static byte[] DecodeBase32(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var output = new List<byte>(value.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in value)
        {
            int digit;
            if (c is >= 'A' and <= 'Z')
            {
                digit = c - 'A';
            }
            else if (c is >= 'a' and <= 'z')
            {
                digit = c - 'a';
            }
            else if (c is >= '2' and <= '7')
            {
                digit = c - '2' + 26;
            }
            else if (c is ' ' or '-' or '=')
            {
                continue;
            }
            else
            {
                throw new FormatException("The TOTP secret is not valid Base32 (allowed: A-Z, 2-7).");
            }

            buffer = (buffer << 5) | digit;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. output];
    }

    private static int Pow10(int digits)
    {
        var result = 1;
        for (var i = 0; i < digits; i++)
        {
            result *= 10;
        }

        return result;
    }
}
