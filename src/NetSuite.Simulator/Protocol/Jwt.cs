using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NetSuite.Simulator.Protocol;

/// <summary>A decoded compact JWS: header and payload JSON, the signing input and the signature bytes.</summary>
public sealed class JwtParts
{
    public required JsonElement Header { get; init; }

    public required JsonElement Payload { get; init; }

    public required byte[] SigningInput { get; init; }

    public required byte[] Signature { get; init; }

    public string? Alg => Header.TryGetProperty("alg", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public string? Kid => Header.TryGetProperty("kid", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public string? GetString(string claim) =>
        Payload.TryGetProperty(claim, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public long? GetLong(string claim) =>
        Payload.TryGetProperty(claim, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    /// <summary>A claim that may be a string or an array of strings (aud, scope).</summary>
    public IReadOnlyList<string> GetStrings(string claim)
    {
        if (!Payload.TryGetProperty(claim, out var v))
        {
            return [];
        }

        return v.ValueKind switch
        {
            JsonValueKind.String => [v.GetString()!],
            JsonValueKind.Array => v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
            _ => [],
        };
    }
}

/// <summary>Compact JWS encoding and decoding, and signature checks for the algorithms NetSuite names.</summary>
public static class Jwt
{
    /// <summary>Signs <paramref name="payloadJson"/> with RS256 under header <c>{"kid":..,"typ":"JWT","alg":"RS256"}</c>, as Oracle's sample tokens are.</summary>
    public static string CreateRs256(RSA key, string keyId, ReadOnlySpan<byte> payloadJson)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["kid"] = keyId,
            ["typ"] = "JWT",
            ["alg"] = "RS256",
        });
        var signingInput = Base64Url.Encode(header) + "." + Base64Url.Encode(payloadJson);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.Encode(signature);
    }

    /// <summary>Signs with any of the client-assertion algorithms (for tests and the benchmark: the client side of client credentials).</summary>
    public static string Create(string alg, AsymmetricAlgorithm key, string? keyId, ReadOnlySpan<byte> payloadJson)
    {
        var headerValues = new Dictionary<string, string> { ["typ"] = "JWT", ["alg"] = alg };
        if (keyId is not null)
        {
            headerValues["kid"] = keyId;
        }

        var signingInput = Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(headerValues)) + "." + Base64Url.Encode(payloadJson);
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = alg switch
        {
            "ES256" or "ES384" or "ES512" => ((ECDsa)key).SignData(data, HashFor(alg)),
            "PS256" or "PS384" or "PS512" => ((RSA)key).SignData(data, HashFor(alg), RSASignaturePadding.Pss),
            "RS256" or "RS384" or "RS512" => ((RSA)key).SignData(data, HashFor(alg), RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException($"Unsupported algorithm {alg}.", nameof(alg)),
        };
        return signingInput + "." + Base64Url.Encode(signature);
    }

    /// <summary>Splits and decodes a compact JWS; false when it is not three Base64url parts with JSON objects.</summary>
    public static bool TryDecode(string? token, out JwtParts parts)
    {
        parts = null!;
        if (string.IsNullOrEmpty(token) || token.Length > 16_384)
        {
            return false;
        }

        var first = token.IndexOf('.');
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || token.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        if (!Base64Url.TryDecode(token.AsSpan(0, first), out var headerBytes)
            || !Base64Url.TryDecode(token.AsSpan(first + 1, second - first - 1), out var payloadBytes)
            || !Base64Url.TryDecode(token.AsSpan(second + 1), out var signature))
        {
            return false;
        }

        try
        {
            var header = JsonSerializer.Deserialize<JsonElement>(headerBytes);
            var payload = JsonSerializer.Deserialize<JsonElement>(payloadBytes);
            if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            parts = new JwtParts
            {
                Header = header,
                Payload = payload,
                SigningInput = Encoding.ASCII.GetBytes(token.AsSpan(0, second).ToString()),
                Signature = signature,
            };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Checks an RS256 signature made by the simulator's own key.</summary>
    public static bool VerifyRs256(RSA key, JwtParts parts) =>
        parts.Alg == "RS256" && key.VerifyData(parts.SigningInput, parts.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>
    /// Checks a client-assertion signature. ES* need an EC key of the matching curve (JWA: P-256, P-384, P-521);
    /// PS* and RS* need an RSA key.
    /// </summary>
    public static bool VerifyWithCertificateKey(string alg, AsymmetricAlgorithm key, JwtParts parts)
    {
        try
        {
            return alg switch
            {
                "ES256" => key is ECDsa { KeySize: 256 } e256 && e256.VerifyData(parts.SigningInput, parts.Signature, HashAlgorithmName.SHA256),
                "ES384" => key is ECDsa { KeySize: 384 } e384 && e384.VerifyData(parts.SigningInput, parts.Signature, HashAlgorithmName.SHA384),
                "ES512" => key is ECDsa { KeySize: 521 } e521 && e521.VerifyData(parts.SigningInput, parts.Signature, HashAlgorithmName.SHA512),
                "PS256" or "PS384" or "PS512" => key is RSA rsa && rsa.VerifyData(parts.SigningInput, parts.Signature, HashFor(alg), RSASignaturePadding.Pss),
                "RS256" or "RS384" or "RS512" => key is RSA rsa1 && rsa1.VerifyData(parts.SigningInput, parts.Signature, HashFor(alg), RSASignaturePadding.Pkcs1),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static HashAlgorithmName HashFor(string alg) => alg[2..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        "512" => HashAlgorithmName.SHA512,
        _ => throw new ArgumentException($"Unsupported algorithm {alg}.", nameof(alg)),
    };
}
