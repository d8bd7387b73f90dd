using System.Net.Http.Headers;

namespace NetSuite.Auth.Tba;

/// <summary>The result of signing one request with OAuth 1.0a (HMAC-SHA256).</summary>
public sealed class TbaSignature
{
    internal TbaSignature(string baseString, string signature, string authorizationParameters, string nonce, long timestamp)
    {
        BaseString = baseString;
        Signature = signature;
        AuthorizationParameters = authorizationParameters;
        Nonce = nonce;
        Timestamp = timestamp;
    }

    /// <summary>The signature base string (holds no secret; useful when NetSuite says InvalidSignature).</summary>
    public string BaseString { get; }

    /// <summary>The Base64 HMAC-SHA256 signature, before percent-encoding.</summary>
    public string Signature { get; }

    /// <summary>The header parameters after the <c>OAuth</c> scheme: <c>realm="..", oauth_consumer_key="..", ...</c>.</summary>
    public string AuthorizationParameters { get; }

    /// <summary>The full header value: <c>OAuth realm="..", ...</c>.</summary>
    public string AuthorizationHeader => "OAuth " + AuthorizationParameters;

    /// <summary>The nonce used.</summary>
    public string Nonce { get; }

    /// <summary>The timestamp used (seconds since the Unix epoch).</summary>
    public long Timestamp { get; }

    /// <summary>The header as an <see cref="AuthenticationHeaderValue"/> for <see cref="HttpRequestHeaders.Authorization"/>.</summary>
    /// <returns>The header value.</returns>
    public AuthenticationHeaderValue ToHeaderValue() => new("OAuth", AuthorizationParameters);

    /// <summary>Returns the Authorization header (which holds no secret).</summary>
    /// <returns>The header value.</returns>
    public override string ToString() => AuthorizationHeader;
}
