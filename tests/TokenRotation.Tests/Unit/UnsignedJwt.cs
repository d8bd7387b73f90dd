using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// A token shaped like NetSuite's (header, claims, a signature nobody checks): the engine reads lifetimes from the
/// claims without validating the signature, so the unit layer needs no signing key.
/// </summary>
internal static class UnsignedJwt
{
    public static string Create(string tokenId, DateTimeOffset expires, DateTimeOffset? issuedAt = null, DateTimeOffset? originalIssuedAt = null)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["jti"] = tokenId,
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["sub"] = "1000;42",
            ["aud"] = new[] { "app-id;" + MachineWorld.Account, "client-id" },
        };
        if (issuedAt is { } iat)
        {
            claims["iat"] = iat.ToUnixTimeSeconds();
        }

        if (originalIssuedAt is { } oit)
        {
            claims["oit"] = oit.ToUnixTimeSeconds();
        }

        return $"{Part(new { alg = "RS256", kid = "s.SYSTEM.2020_1" })}.{Part(claims)}.c2lnbmF0dXJl";
    }

    private static string Part(object value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
}
