using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace NetSuite.Auth.Tests.OAuth2;

/// <summary>Builds unsigned-looking JWTs shaped like NetSuite's (header RS256, kid s.SYSTEM.2020_1) for tests.</summary>
internal static class TestJwt
{
    public const string OracleHeader = """{"kid":"s.SYSTEM.2020_1","typ":"JWT","alg":"RS256"}""";

    public static string Create(string payloadJson, string headerJson = OracleHeader) =>
        Part(headerJson) + "." + Part(payloadJson) + "." + Base64Url.EncodeToString(Encoding.ASCII.GetBytes("not-a-real-signature"));

    public static string Create(object payload) => Create(JsonSerializer.Serialize(payload));

    public static string Part(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>A NetSuite-shaped access token (jti with .a.) valid for an hour from <paramref name="issuedAt"/>.</summary>
    public static string Access(long issuedAt = 1_700_000_000) => Create(new
    {
        sub = "3;7",
        aud = new[] { "6ACBD51C-514B-4F59-B1C3-CB35FF7E9A6A;1234567", "client-id" },
        scope = new[] { "rest_webservices", "restlets" },
        iss = "https://system.netsuite.com",
        oit = issuedAt,
        exp = issuedAt + 3600,
        iat = issuedAt,
        jti = "1234567.a.5b3236b9-ffee-42d3-bd57-4be7b4439a37_" + issuedAt,
    });

    /// <summary>A NetSuite-shaped refresh token (jti with .r.) valid for seven days.</summary>
    public static string Refresh(long issuedAt = 1_700_000_000) => Create(new
    {
        sub = "3;7",
        aud = new[] { "6ACBD51C-514B-4F59-B1C3-CB35FF7E9A6A;1234567", "client-id" },
        scope = new[] { "rest_webservices", "restlets" },
        iss = "https://system.netsuite.com",
        oit = issuedAt,
        exp = issuedAt + 604_800,
        iat = issuedAt,
        jti = "1234567.r.5b3236b9-ffee-42d3-bd57-4be7b4439a37_" + issuedAt,
    });
}
