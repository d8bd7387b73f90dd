using System.Net.Http.Headers;
using System.Text;

namespace NetSuite.Auth.OAuth2;

/// <summary>
/// How an OAuth 2.0 client authenticates at the token and revoke endpoints: a confidential client sends HTTP Basic
/// <c>client_id:client_secret</c>; a public client sends only <c>client_id</c> in the body. The secret never
/// appears in <see cref="ToString"/>.
/// </summary>
public sealed class OAuth2ClientAuthentication
{
    private readonly string? _clientSecret;

    private OAuth2ClientAuthentication(string clientId, string? clientSecret)
    {
        ClientId = clientId;
        _clientSecret = clientSecret;
    }

    /// <summary>The integration record's client id.</summary>
    public string ClientId { get; }

    /// <summary>True for a public client (no secret; refresh tokens are single-use and rotate).</summary>
    public bool IsPublic => _clientSecret is null;

    /// <summary>A confidential client: HTTP Basic with the client id and secret.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="clientSecret">The client secret.</param>
    /// <returns>The client authentication.</returns>
    /// <exception cref="ArgumentException">The id or secret is empty, or the id contains <c>:</c> (not representable in Basic).</exception>
    public static OAuth2ClientAuthentication Confidential(string clientId, string clientSecret)
    {
        ValidateClientId(clientId);
        if (string.IsNullOrEmpty(clientSecret))
        {
            throw new ArgumentException("A confidential client needs its client secret.", nameof(clientSecret));
        }

        return new OAuth2ClientAuthentication(clientId, clientSecret);
    }

    /// <summary>A public client: <c>client_id</c> in the request body, no Authorization header.</summary>
    /// <param name="clientId">The client id.</param>
    /// <returns>The client authentication.</returns>
    /// <exception cref="ArgumentException">The id is empty or contains <c>:</c>.</exception>
    public static OAuth2ClientAuthentication Public(string clientId)
    {
        ValidateClientId(clientId);
        return new OAuth2ClientAuthentication(clientId, null);
    }

    /// <summary>Describes the client without its secret.</summary>
    public override string ToString() =>
        IsPublic
            ? $"OAuth2ClientAuthentication {{ ClientId = {ClientId}, Public }}"
            : $"OAuth2ClientAuthentication {{ ClientId = {ClientId}, Confidential, ClientSecret = *** }}";

    /// <summary>Adds this client's authentication to a token or revoke request.</summary>
    internal void Apply(HttpRequestMessage request, List<KeyValuePair<string, string>> form)
    {
        if (_clientSecret is null)
        {
            form.Add(new("client_id", ClientId));
            return;
        }

        // Standard Base64 (RFC 7617): Oracle's text says "Base64url" but its samples decode as standard Base64
        // with '=' padding (NetSuite topic 1.3). Sending both Basic and client_id is refused as "multiple client
        // authentication approaches", so a confidential client sends Basic only.
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{_clientSecret}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
    }

    private static void ValidateClientId(string clientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        if (clientId.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("The client id must not contain ':' (HTTP Basic separates id and secret with it).", nameof(clientId));
        }
    }
}
