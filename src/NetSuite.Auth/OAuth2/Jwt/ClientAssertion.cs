using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NetSuite.Auth.OAuth2.Jwt;

/// <summary>How the <c>scope</c> claim of a client assertion is written.</summary>
public enum ScopeClaimFormat
{
    /// <summary>A JSON array, <c>["restlets","rest_webservices"]</c>, as in Oracle's current sample (default).</summary>
    JsonArray,

    /// <summary>A comma-separated string, <c>"restlets,rest_webservices"</c>, as Oracle's text describes.</summary>
    CommaSeparated,
}

/// <summary>The claims of a client-credentials JWT assertion (NetSuite topic 2.2).</summary>
public sealed record ClientAssertionOptions
{
    /// <summary>The default lifetime (<c>exp - iat</c>): five minutes.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The limit the lifetime must stay under: NetSuite requires <c>exp</c> less than 60 minutes after <c>iat</c>.</summary>
    public static readonly TimeSpan MaxLifetimeExclusive = TimeSpan.FromMinutes(60);

    /// <summary>The integration record's client id, written as <c>iss</c>.</summary>
    public required string ClientId { get; init; }

    /// <summary>The requested scopes, written as <c>scope</c>.</summary>
    public required NetSuiteScopes Scopes { get; init; }

    /// <summary>How <c>scope</c> is written; a JSON array by default.</summary>
    public ScopeClaimFormat ScopeFormat { get; init; } = ScopeClaimFormat.JsonArray;

    /// <summary>
    /// The <c>aud</c> claim. Null (default) means the account's token endpoint on the SuiteTalk host, as Oracle's
    /// text says; Oracle's sample uses the RESTlets host instead, so it can be set explicitly.
    /// </summary>
    public string? Audience { get; init; }

    /// <summary>The assertion's lifetime (<c>exp - iat</c>): five minutes by default, at least one second, less than 60 minutes.</summary>
    public TimeSpan Lifetime { get; init; } = DefaultLifetime;
}

/// <summary>Builds and signs client-credentials JWT assertions (<c>client_assertion</c>).</summary>
/// <param name="endpoints">The endpoints, for the default audience (the account's token endpoint).</param>
/// <param name="timeProvider">The clock for <c>iat</c> and <c>exp</c>.</param>
public sealed class NetSuiteClientAssertionBuilder(NetSuiteEndpoints endpoints, TimeProvider timeProvider)
{
    private readonly NetSuiteEndpoints _endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <summary>Builds a signed assertion <c>header.payload.signature</c> for <paramref name="account"/>.</summary>
    /// <param name="account">The account; gives the default <c>aud</c>.</param>
    /// <param name="options">The claims.</param>
    /// <param name="signer">Signs the assertion and gives <c>alg</c> and <c>kid</c>.</param>
    /// <param name="cancellationToken">Cancels a remote signing call.</param>
    /// <returns>The compact JWS. It is a credential for its lifetime: do not log it.</returns>
    /// <exception cref="ArgumentException">An option is invalid (lifetime of 60 minutes or more, empty client id, bad scopes, unsupported algorithm).</exception>
    public async ValueTask<string> CreateAsync(
        NetSuiteAccountId account, ClientAssertionOptions options, IJwtSigner signer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        Validate(options, signer);

        var audience = options.Audience ?? _endpoints.Token(account).AbsoluteUri;
        var issuedAt = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var expires = issuedAt + (long)options.Lifetime.TotalSeconds;

        var header = WriteJson(w =>
        {
            w.WriteString("typ", "JWT");
            w.WriteString("alg", signer.Algorithm);
            w.WriteString("kid", signer.KeyId);
        });
        var payload = WriteJson(w =>
        {
            w.WriteString("iss", options.ClientId);
            var scopes = NetSuiteScopeValues.ToValues(options.Scopes);
            if (options.ScopeFormat == ScopeClaimFormat.CommaSeparated)
            {
                w.WriteString("scope", string.Join(',', scopes));
            }
            else
            {
                w.WriteStartArray("scope");
                foreach (var scope in scopes)
                {
                    w.WriteStringValue(scope);
                }

                w.WriteEndArray();
            }

            w.WriteString("aud", audience);
            w.WriteString("jti", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18)));
            w.WriteNumber("iat", issuedAt);
            w.WriteNumber("exp", expires);
        });

        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        var signature = await signer.SignAsync(Encoding.ASCII.GetBytes(signingInput), cancellationToken).ConfigureAwait(false);
        if (signature is not { Length: > 0 })
        {
            throw new InvalidOperationException($"The JWT signer {signer.GetType().Name} returned an empty signature.");
        }

        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static void Validate(ClientAssertionOptions options, IJwtSigner signer)
    {
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            throw new ArgumentException("The client assertion needs the client id (iss).", nameof(options));
        }

        NetSuiteScopeValues.Validate(options.Scopes);

        if (options.Lifetime < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"The client assertion lifetime must be at least one second; got {options.Lifetime}.", nameof(options));
        }

        if (options.Lifetime >= ClientAssertionOptions.MaxLifetimeExclusive)
        {
            throw new ArgumentException(
                $"The client assertion lifetime must be less than 60 minutes (NetSuite rejects exp 60 minutes or more after iat); got {options.Lifetime}.",
                nameof(options));
        }

        if (options.Audience is not null
            && (!Uri.TryCreate(options.Audience, UriKind.Absolute, out var audience) || !NetSuiteEndpoints.IsAllowedUrl(audience)))
        {
            throw new ArgumentException("The client assertion audience (aud) must be an absolute https URL (http only for loopback).", nameof(options));
        }

        if (!JwtAlgorithms.IsSupported(signer.Algorithm))
        {
            throw new ArgumentException(
                $"NetSuite does not accept the JWS algorithm '{signer.Algorithm}' for client assertions; use ES256, ES384, ES512, PS256, PS384 or PS512.",
                nameof(signer));
        }

        if (string.IsNullOrWhiteSpace(signer.KeyId))
        {
            throw new ArgumentException("The JWT signer has no key id (kid); it must be the NetSuite certificate id.", nameof(signer));
        }
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
