using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NetSuite.Simulator.Protocol;

/// <summary>
/// OAuth 1.0a (RFC 5849) as NetSuite uses it for TBA: HMAC-SHA256 only, realm in the header but not
/// signed, signature over the URL as requested. The simulator's own implementation: it must not share
/// code with the client it checks. Pinned to Oracle's worked example (NetSuite topic 4.3) by the tests.
/// </summary>
public static class OAuth1
{
    public const string HmacSha256 = "HMAC-SHA256";

    /// <summary>
    /// Parses <c>OAuth realm="..", oauth_consumer_key="..", ...</c>. Values are percent-decoded.
    /// Returns false (with a Login Audit Trail style reason) when a parameter is repeated or malformed.
    /// </summary>
    public static bool TryParseAuthorizationHeader(string? header, out Dictionary<string, string> values, out string reason)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        reason = "";
        if (header is null || !header.StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase))
        {
            reason = "MissingOAuthHeader";
            return false;
        }

        var rest = header.AsSpan(6);
        foreach (var range in rest.Split(','))
        {
            var part = rest[range].Trim();
            if (part.IsEmpty)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                reason = "parameter_rejected";
                return false;
            }

            var name = part[..eq].Trim().ToString();
            var raw = part[(eq + 1)..].Trim();
            if (raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"')
            {
                raw = raw[1..^1];
            }
            else if (raw.Contains('"'))
            {
                reason = "parameter_rejected";
                return false;
            }

            if (!values.TryAdd(name, PercentEncoding.Decode(raw.ToString(), plusIsSpace: false)))
            {
                reason = "parameter_rejected";
                return false;
            }
        }

        return true;
    }

    /// <summary>The base string URI (RFC 5849 §3.4.1.2): lowercase scheme and host, port only when not the default, path as sent.</summary>
    public static string BaseStringUri(string scheme, string host, int? port, string rawPath)
    {
        scheme = scheme.ToLowerInvariant();
        host = host.ToLowerInvariant();
        var includePort = port is { } p && !(scheme == "http" && p == 80) && !(scheme == "https" && p == 443);
        return includePort
            ? string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{port}{rawPath}")
            : $"{scheme}://{host}{rawPath}";
    }

    /// <summary>Base string URI of an absolute URL (for clients of the simulator: the benchmark and tests).</summary>
    public static string BaseStringUri(Uri url) =>
        BaseStringUri(url.Scheme, url.Host, url.IsDefaultPort ? null : url.Port, url.AbsolutePath);

    /// <summary>
    /// <c>METHOD &amp; enc(base URI) &amp; enc(normalised parameters)</c>; parameters are decoded name/value pairs
    /// (query, OAuth header without <c>realm</c> and <c>oauth_signature</c>, form body when form-encoded).
    /// </summary>
    public static string BuildBaseString(string method, string baseStringUri, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var encoded = parameters
            .Select(p => (Name: PercentEncoding.Encode(p.Key), Value: PercentEncoding.Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        var normalised = new StringBuilder();
        foreach (var (name, value) in encoded)
        {
            if (normalised.Length > 0)
            {
                normalised.Append('&');
            }

            normalised.Append(name).Append('=').Append(value);
        }

        return string.Concat(
            method.ToUpperInvariant(), "&",
            PercentEncoding.Encode(baseStringUri), "&",
            PercentEncoding.Encode(normalised.ToString()));
    }

    /// <summary>Base64(HMAC-SHA256(enc(consumerSecret) &amp; enc(tokenSecret), baseString)).</summary>
    public static string Sign(string baseString, string consumerSecret, string tokenSecret)
    {
        var key = Encoding.UTF8.GetBytes(PercentEncoding.Encode(consumerSecret) + "&" + PercentEncoding.Encode(tokenSecret));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(baseString), mac);
        return Convert.ToBase64String(mac);
    }

    /// <summary>Constant-time comparison of two Base64 signatures.</summary>
    public static bool SignaturesEqual(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual));

    /// <summary>
    /// Builds a signed <c>Authorization: OAuth ...</c> header value for <paramref name="url"/> (query included).
    /// Used by the simulator's benchmark and tests; the service has its own signer in NetSuite.Auth.
    /// </summary>
    public static string CreateAuthorizationHeader(
        string method,
        Uri url,
        string realm,
        string consumerKey,
        string consumerSecret,
        string tokenId,
        string tokenSecret,
        string nonce,
        long timestamp,
        string signatureMethod = HmacSha256,
        string? version = "1.0")
    {
        var oauth = new List<KeyValuePair<string, string>>
        {
            new("oauth_consumer_key", consumerKey),
            new("oauth_token", tokenId),
            new("oauth_nonce", nonce),
            new("oauth_timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
            new("oauth_signature_method", signatureMethod),
        };
        if (version is not null)
        {
            oauth.Add(new("oauth_version", version));
        }

        var all = new List<KeyValuePair<string, string>>(oauth);
        all.AddRange(PercentEncoding.ParseQuery(url.Query));
        var baseString = BuildBaseString(method, BaseStringUri(url), all);
        var signature = Sign(baseString, consumerSecret, tokenSecret);

        var sb = new StringBuilder("OAuth realm=\"").Append(PercentEncoding.Encode(realm)).Append('"');
        foreach (var (name, value) in oauth)
        {
            sb.Append(", ").Append(name).Append("=\"").Append(PercentEncoding.Encode(value)).Append('"');
        }

        sb.Append(", oauth_signature=\"").Append(PercentEncoding.Encode(signature)).Append('"');
        return sb.ToString();
    }

    /// <summary>A random 20-character alphanumeric nonce.</summary>
    public static string NewNonce() => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 20);
}
