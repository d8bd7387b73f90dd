using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Consent;

/// <summary>
/// Signed, expiring consent links: <c>{PublicBaseUrl}/api/consent/{token}</c>, where the token is
/// <c>base64url(payload) "." base64url(HMAC-SHA256)</c> and the payload names one connection, an expiry
/// (<see cref="RotationOptions.ConsentLinkLifetime"/>, 72 hours by default) and the signing key version's short id
/// (absent in links made before key ids, which still verify). The key is the state vault's
/// <see cref="ServiceKeyNames.ConsentSigning"/>. A link is not a credential: NetSuite still asks the person to log in,
/// and the callback accepts only the connection's account, role and entity.
/// </summary>
public sealed class ConsentLinkFactory : IConsentLinkFactory
{
    /// <summary>Path of the consent start function under the public base URL.</summary>
    public const string PathPrefix = "/api/consent/";

    /// <summary>Longest token accepted; real ones are about 150 characters.</summary>
    public const int MaxTokenLength = 512;

    private const int PayloadVersion = 1;
    private const int KeyIdLength = 8;
    private static readonly byte[] Purpose = Encoding.ASCII.GetBytes("nstoken consent link v1\n");

    private readonly IServiceKeyStore _keys;
    private readonly TokenRotationOptions _service;
    private readonly RotationOptions _rotation;
    private readonly TimeProvider _time;

    public ConsentLinkFactory(IServiceKeyStore keys, IOptions<TokenRotationOptions> service, IOptions<RotationOptions> rotation, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(rotation);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _keys = keys;
        _service = service.Value;
        _rotation = rotation.Value;
        _time = timeProvider;
    }

    public async Task<string> CreateAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        var token = await CreateTokenAsync(name, cancellationToken).ConfigureAwait(false);
        return _service.PublicBaseUrl.TrimEnd('/') + PathPrefix + token;
    }

    /// <summary>The token part of a link for <paramref name="name"/>, valid for the configured lifetime.</summary>
    public async Task<string> CreateTokenAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var expires = _time.GetUtcNow() + _rotation.ConsentLinkLifetime;
        var ring = await _keys.GetAsync(ServiceKeyNames.ConsentSigning, cancellationToken: cancellationToken).ConfigureAwait(false);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new LinkPayload(PayloadVersion, name.Value, expires.ToUnixTimeSeconds(), KeyId(ring.Current)));
        var encoded = Base64Url.EncodeToString(payload);
        return encoded + "." + Base64Url.EncodeToString(Mac(ring.Current, encoded));
    }

    /// <summary>
    /// Checks a token: shape, signature (current or previous key version), then expiry. Never throws on bad input.
    /// </summary>
    public async Task<ConsentLinkCheck> ValidateAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return ConsentLinkCheck.Fail(ConsentLinkProblem.Malformed);
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot != token.LastIndexOf('.') || dot == token.Length - 1)
        {
            return ConsentLinkCheck.Fail(ConsentLinkProblem.Malformed);
        }

        var encoded = token[..dot];
        if (!Base64Url.IsValid(encoded) || !Base64Url.IsValid(token.AsSpan(dot + 1)))
        {
            return ConsentLinkCheck.Fail(ConsentLinkProblem.Malformed);
        }

        var signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        if (signature.Length != HMACSHA256.HashSizeInBytes)
        {
            return ConsentLinkCheck.Fail(ConsentLinkProblem.Malformed);
        }

        // The payload is read before the signature is checked only to learn which key version signed it; nothing in
        // it is trusted until the signature verifies. Bad input is refused here without touching the key store.
        LinkPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<LinkPayload>(Base64Url.DecodeFromChars(encoded));
        }
        catch (JsonException)
        {
            return ConsentLinkCheck.Fail(ConsentLinkProblem.Malformed);
        }

        if (payload is not { Version: PayloadVersion } || payload.KeyId is { Length: 0 or > KeyIdLength } || !ConnectionName.TryParse(payload.Connection, out var name))
        {
            return ConsentLinkCheck.Fail(ConsentLinkProblem.Malformed);
        }

        if (!await VerifiesAsync(encoded, signature, payload.KeyId, cancellationToken).ConfigureAwait(false))
        {
            return ConsentLinkCheck.Fail(ConsentLinkProblem.BadSignature);
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(payload.ExpiresAt);
        return expiresAt <= _time.GetUtcNow()
            ? new ConsentLinkCheck(ConsentLinkProblem.Expired, name, expiresAt)
            : new ConsentLinkCheck(ConsentLinkProblem.None, name, expiresAt);
    }

    /// <summary>
    /// Checks the signature with the cached ring. The store is asked to read again only when the link names a key
    /// version the ring does not hold (or names none, as links made before key ids did), and the store does that at
    /// most once per interval: a forged link never costs a Key Vault request of its own.
    /// </summary>
    private async Task<bool> VerifiesAsync(string encoded, byte[] signature, string? keyId, CancellationToken cancellationToken)
    {
        var ring = await _keys.GetAsync(ServiceKeyNames.ConsentSigning, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (keyId is not null && !ring.Keys.Any(k => KeyId(k) == keyId))
        {
            ring = await _keys.GetAsync(ServiceKeyNames.ConsentSigning, refresh: true, cancellationToken).ConfigureAwait(false);
            return Verifies(ring, encoded, signature, keyId);
        }

        if (Verifies(ring, encoded, signature, keyId))
        {
            return true;
        }

        return keyId is null
            && Verifies(await _keys.GetAsync(ServiceKeyNames.ConsentSigning, refresh: true, cancellationToken).ConfigureAwait(false), encoded, signature, keyId);
    }

    private static bool Verifies(ServiceKeyRing ring, string encoded, byte[] signature, string? keyId)
    {
        var valid = false;
        foreach (var key in ring.Keys)
        {
            if (keyId is null || KeyId(key) == keyId)
            {
                valid |= CryptographicOperations.FixedTimeEquals(Mac(key, encoded), signature);
            }
        }

        return valid;
    }

    /// <summary>A short name of a key version for the link's payload; it only picks the key, the MAC decides.</summary>
    private static string KeyId(ServiceKey key) => key.Version.Length <= KeyIdLength ? key.Version : key.Version[..KeyIdLength];

    private static byte[] Mac(ServiceKey key, string encodedPayload)
    {
        var data = new byte[Purpose.Length + encodedPayload.Length];
        Purpose.CopyTo(data, 0);
        Encoding.ASCII.GetBytes(encodedPayload, data.AsSpan(Purpose.Length));
        return HMACSHA256.HashData(key.Material, data);
    }

    private sealed record LinkPayload(
        [property: JsonPropertyName("v")] int Version,
        [property: JsonPropertyName("c")] string Connection,
        [property: JsonPropertyName("exp")] long ExpiresAt,
        [property: JsonPropertyName("k"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeyId = null);
}
