using System.Security.Cryptography;
using System.Text;

namespace Infra.Tests;

/// <summary>ARM's guid(...) function: a name-based (version 5) UUID of the arguments joined with '-'.</summary>
public static class ArmGuid
{
    private static readonly Guid Namespace = new("11fb06fb-712d-4ddd-98c7-e71bbd588830");

    public static Guid Compute(params string[] parts)
    {
        var name = Encoding.UTF8.GetBytes(string.Join('-', parts));
        var ns = Namespace.ToByteArray(bigEndian: true);
        var input = new byte[ns.Length + name.Length];
        ns.CopyTo(input, 0);
        name.CopyTo(input, ns.Length);

#pragma warning disable CA5350 // SHA-1 is what RFC 4122 version 5 prescribes; this reproduces a name, it protects nothing.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
