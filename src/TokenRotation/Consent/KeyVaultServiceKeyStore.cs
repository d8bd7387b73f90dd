using System.Collections.Concurrent;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace TokenRotation.Consent;

/// <summary>
/// Service keys as state-vault secrets (<c>key-consent-signing</c>, <c>key-verifier-encryption</c>), base64 values.
/// Each version of the secret is a key version: the newest enabled one signs, the one before it still verifies, so
/// a rotation (a new version) never breaks links and sessions made just before it. An operator revokes a version by
/// disabling it. A key that does not exist is created on first use; two instances creating it at once both succeed
/// and then agree on the newest of the two versions.
/// </summary>
public sealed partial class KeyVaultServiceKeyStore : IServiceKeyStore
{
    /// <summary>How long a ring read from Key Vault is used before it is read again.</summary>
    public static readonly TimeSpan DefaultCacheLifetime = TimeSpan.FromMinutes(5);

    private readonly SecretClient _client;
    private readonly ResiliencePipeline _writes;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheLifetime;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (ServiceKeyRing Ring, DateTimeOffset LoadedAt)> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _loading = new(1, 1);

    public KeyVaultServiceKeyStore(
        SecretClient client, ResiliencePipeline? writes = null, TimeProvider? timeProvider = null, TimeSpan? cacheLifetime = null, ILogger<KeyVaultServiceKeyStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _writes = writes ?? ResiliencePipeline.Empty;
        _time = timeProvider ?? TimeProvider.System;
        _cacheLifetime = cacheLifetime ?? DefaultCacheLifetime;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public async Task<ServiceKeyRing> GetAsync(string keyName, bool refresh = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        if (!refresh && Fresh(keyName) is { } cached)
        {
            return cached;
        }

        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!refresh && Fresh(keyName) is { } loadedMeanwhile)
            {
                return loadedMeanwhile;
            }

            var ring = await ReadAsync(keyName, cancellationToken).ConfigureAwait(false);
            if (ring is null)
            {
                await AddVersionAsync(keyName, cancellationToken).ConfigureAwait(false);
                LogCreated(_logger, keyName);
                ring = await ReadAsync(keyName, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"The service key {keyName} was created in the state vault but no enabled version can be read back.");
            }

            _cache[keyName] = (ring, _time.GetUtcNow());
            return ring;
        }
        finally
        {
            _loading.Release();
        }
    }

    public async Task<ServiceKeyRing> RotateAsync(string keyName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        var version = await AddVersionAsync(keyName, cancellationToken).ConfigureAwait(false);
        LogRotated(_logger, keyName, version);
        return await GetAsync(keyName, refresh: true, cancellationToken).ConfigureAwait(false);
    }

    private ServiceKeyRing? Fresh(string keyName) =>
        _cache.TryGetValue(keyName, out var entry) && _time.GetUtcNow() - entry.LoadedAt < _cacheLifetime ? entry.Ring : null;

    private async Task<string> AddVersionAsync(string keyName, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(keyName, Convert.ToBase64String(ServiceKeyNames.NewKey()));
        secret.Properties.ContentType = "application/octet-stream; base64";
        secret.Properties.Tags["kind"] = "service-key";
        var stored = await _writes.ExecuteAsync(
            static async (state, ct) => (await state.Client.SetSecretAsync(state.Secret, ct).ConfigureAwait(false)).Value,
            (Client: _client, Secret: secret),
            cancellationToken).ConfigureAwait(false);
        return stored.Properties.Version;
    }

    /// <summary>The two newest usable versions, or null when the secret does not exist or has none.</summary>
    private async Task<ServiceKeyRing?> ReadAsync(string keyName, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var usable = new List<SecretProperties>();
        try
        {
            await foreach (var properties in _client.GetPropertiesOfSecretVersionsAsync(keyName, cancellationToken).ConfigureAwait(false))
            {
                if (properties.Enabled == true
                    && (properties.NotBefore is not { } notBefore || notBefore <= now)
                    && (properties.ExpiresOn is not { } expires || expires > now))
                {
                    usable.Add(properties);
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        if (usable.Count == 0)
        {
            return null;
        }

        // Key Vault's creation times have one-second resolution; the version id breaks ties the same way everywhere.
        var newest = usable
            .OrderByDescending(p => p.CreatedOn ?? DateTimeOffset.MinValue)
            .ThenByDescending(p => p.Version, StringComparer.Ordinal)
            .Take(2)
            .ToList();
        var keys = new List<ServiceKey>(newest.Count);
        foreach (var properties in newest)
        {
            var value = (await _client.GetSecretAsync(keyName, properties.Version, cancellationToken).ConfigureAwait(false)).Value.Value;
            byte[] material;
            try
            {
                material = Convert.FromBase64String(value);
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"Version {properties.Version} of the service key {keyName} is not base64; disable that version or set a new one.");
            }

            if (material.Length != ServiceKeyNames.KeySize)
            {
                throw new InvalidDataException(
                    $"Version {properties.Version} of the service key {keyName} has {material.Length} bytes instead of {ServiceKeyNames.KeySize}; disable that version or set a new one.");
            }

            keys.Add(new ServiceKey(properties.Version, material));
        }

        return new ServiceKeyRing(keyName, keys);
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Created the service key {KeyName} in the state vault")]
    private static partial void LogCreated(ILogger logger, string keyName);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Rotated the service key {KeyName}: version {Version} signs from now on, the previous one still verifies")]
    private static partial void LogRotated(ILogger logger, string keyName, string version);
}
