using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NetSuite.Auth.Tba;

/// <summary>
/// Signs requests with OAuth 1.0a as NetSuite's Token-Based Authentication expects: HMAC-SHA256 only (HMAC-SHA1
/// ended in 2023.1), RFC 3986 percent-encoding (space is <c>%20</c>), query and form parameters in the base string,
/// the realm in the header but not in the signature.
/// </summary>
/// <param name="nonces">Source of nonces when none is given.</param>
/// <param name="timeProvider">Clock for the timestamp when none is given.</param>
public sealed class TbaSigner(ITbaNonceSource nonces, TimeProvider timeProvider)
{
    /// <summary>The only signature method NetSuite accepts.</summary>
    public const string SignatureMethod = "HMAC-SHA256";

    private const string Version = "1.0";

    /// <summary>Creates a signer with random nonces and the system clock.</summary>
    public TbaSigner()
        : this(new RandomTbaNonceSource(), TimeProvider.System)
    {
    }

    /// <summary>Signs a request.</summary>
    /// <param name="method">The HTTP method (any case).</param>
    /// <param name="url">The absolute URL exactly as it will be requested, query included.</param>
    /// <param name="credentials">The consumer and token.</param>
    /// <param name="formParameters">Body parameters, only for an <c>application/x-www-form-urlencoded</c> body (decoded names and values); null otherwise.</param>
    /// <param name="nonce">A nonce to use instead of a new one (tests, <c>nstoken sign</c>).</param>
    /// <param name="timestamp">A timestamp (Unix seconds) to use instead of now.</param>
    /// <returns>The signature, base string and header.</returns>
    public TbaSignature Sign(
        HttpMethod method,
        Uri url,
        TbaCredentials credentials,
        IEnumerable<KeyValuePair<string, string>>? formParameters = null,
        string? nonce = null,
        long? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(credentials);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException("The URL to sign must be absolute.", nameof(url));
        }

        nonce ??= nonces.NewNonce();
        if (nonce.Length == 0)
        {
            throw new ArgumentException("The nonce must not be empty.", nameof(nonce));
        }

        var ts = timestamp ?? timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (ts <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), ts, "The timestamp must be a positive number of seconds since the Unix epoch.");
        }

        var timestampText = ts.ToString(CultureInfo.InvariantCulture);
        var oauth = new List<KeyValuePair<string, string>>
        {
            new("oauth_consumer_key", credentials.ConsumerKey),
            new("oauth_token", credentials.TokenId),
            new("oauth_nonce", nonce),
            new("oauth_timestamp", timestampText),
            new("oauth_signature_method", SignatureMethod),
            new("oauth_version", Version),
        };

        var parameters = new List<KeyValuePair<string, string>>(oauth);
        parameters.AddRange(ParseQuery(url.Query));
        if (formParameters is not null)
        {
            parameters.AddRange(formParameters);
        }

        var baseString = BuildBaseString(method.Method, url, parameters);
        var signature = ComputeSignature(baseString, credentials.ConsumerSecret, credentials.TokenSecret);

        var header = new StringBuilder();
        header.Append("realm=\"").Append(PercentEncode(credentials.Account.Realm)).Append('"');
        foreach (var (name, value) in oauth)
        {
            header.Append(", ").Append(name).Append("=\"").Append(PercentEncode(value)).Append('"');
        }

        header.Append(", oauth_signature=\"").Append(PercentEncode(signature)).Append('"');
        return new TbaSignature(baseString, signature, header.ToString(), nonce, ts);
    }

    /// <summary>Percent-encodes per RFC 3986 / RFC 5849 section 3.6: UTF-8, everything but <c>A-Z a-z 0-9 - . _ ~</c> as uppercase <c>%XX</c>.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The encoded text.</returns>
    public static string PercentEncode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Builds the signature base string: <c>METHOD&amp;enc(base URI)&amp;enc(normalised parameters)</c>. The base URI is
    /// the lowercase scheme and host, the port only when not the scheme's default, and the path as requested (no query).
    /// </summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="url">The absolute request URL.</param>
    /// <param name="parameters">Every signed parameter, decoded (oauth_* without realm and signature, query, form).</param>
    /// <returns>The base string.</returns>
    public static string BuildBaseString(string method, Uri url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(parameters);

        var baseUri = new StringBuilder();
        baseUri.Append(url.Scheme.ToLowerInvariant()).Append("://").Append(url.IdnHost.ToLowerInvariant());
        if (!url.IsDefaultPort)
        {
            baseUri.Append(':').Append(url.Port.ToString(CultureInfo.InvariantCulture));
        }

        baseUri.Append(url.AbsolutePath.Length == 0 ? "/" : url.AbsolutePath);

        var normalised = string.Join(
            "&",
            parameters
                .Select(p => (Name: PercentEncode(p.Key), Value: PercentEncode(p.Value ?? string.Empty)))
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => p.Name + "=" + p.Value));

        return method.ToUpperInvariant() + "&" + PercentEncode(baseUri.ToString()) + "&" + PercentEncode(normalised);
    }

    /// <summary>Computes <c>Base64(HMAC-SHA256(enc(consumerSecret)&amp;enc(tokenSecret), baseString))</c>.</summary>
    /// <param name="baseString">The signature base string.</param>
    /// <param name="consumerSecret">The consumer secret.</param>
    /// <param name="tokenSecret">The token secret.</param>
    /// <returns>The Base64 signature.</returns>
    public static string ComputeSignature(string baseString, string consumerSecret, string tokenSecret)
    {
        ArgumentNullException.ThrowIfNull(baseString);
        ArgumentNullException.ThrowIfNull(consumerSecret);
        ArgumentNullException.ThrowIfNull(tokenSecret);
        var key = Encoding.UTF8.GetBytes(PercentEncode(consumerSecret) + "&" + PercentEncode(tokenSecret));
        return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(baseString)));
    }

    /// <summary>
    /// Splits a query or form string into decoded name/value pairs the way <c>application/x-www-form-urlencoded</c>
    /// defines it (RFC 5849 section 3.4.1.3.1): <c>+</c> is a space, a name without <c>=</c> has an empty value,
    /// empty pieces are skipped.
    /// </summary>
    /// <param name="query">The query (with or without the leading <c>?</c>) or form body.</param>
    /// <returns>The pairs in order, repeated names kept.</returns>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseQuery(string? query)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(query))
        {
            return result;
        }

        foreach (var piece in query.TrimStart('?').Split('&'))
        {
            if (piece.Length == 0)
            {
                continue;
            }

            var equals = piece.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? piece : piece[..equals];
            var value = equals < 0 ? string.Empty : piece[(equals + 1)..];
            result.Add(new(FormDecode(name), FormDecode(value)));
        }

        return result;
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
