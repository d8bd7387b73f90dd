using System.Collections.Concurrent;
using System.Globalization;
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
internal sealed partial class KeyVaultServiceKeyStore : IServiceKeyStore
{
    /// <summary>How long a ring read from Key Vault is used before it is read again.</summary>
    public static readonly TimeSpan DefaultCacheLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The shortest time between two reads of one key, whatever asks for them.</summary>
    public static readonly TimeSpan DefaultMinimumRefreshInterval = TimeSpan.FromMinutes(1);

    /// <summary>Tag holding a version's creation time to the tick (Key Vault's own is to the second).</summary>
    public const string CreatedTag = "created";

    private readonly SecretClient _client;
    private readonly ResiliencePipeline _writes;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheLifetime;
    private readonly TimeSpan _minimumRefreshInterval;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, CachedRing> _cache = new(StringComparer.Ordinal);

    public KeyVaultServiceKeyStore(
        SecretClient client, ResiliencePipeline? writes = null, TimeProvider? timeProvider = null, TimeSpan? cacheLifetime = null, ILogger<KeyVaultServiceKeyStore>? logger = null,
        TimeSpan? minimumRefreshInterval = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _writes = writes ?? ResiliencePipeline.Empty;
        _time = timeProvider ?? TimeProvider.System;
        _cacheLifetime = cacheLifetime ?? DefaultCacheLifetime;
        _minimumRefreshInterval = minimumRefreshInterval ?? DefaultMinimumRefreshInterval;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// The cached ring. Anonymous requests reach this (consent links), so Key Vault is read at most once per
    /// <see cref="DefaultMinimumRefreshInterval"/> per key, whatever the callers ask: an expired ring is served while
    /// one shared read replaces it, and <paramref name="refresh"/> reads again only when the last read is older than
    /// that interval. No caller waits on a lock held across a Key Vault call; concurrent callers share one read.
    /// </summary>
    public async Task<ServiceKeyRing> GetAsync(string keyName, bool refresh = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        var entry = _cache.GetOrAdd(keyName, static _ => new CachedRing());
        Task<ServiceKeyRing> reading;
        lock (entry)
        {
            var now = _time.GetUtcNow();
            var mayRead = now - entry.AttemptedAt >= _minimumRefreshInterval;
            if (entry.Ring is { } ring)
            {
                if (!refresh || (!mayRead && entry.Reading is null))
                {
                    if (!refresh && entry.Reading is null && mayRead && now - entry.LoadedAt >= _cacheLifetime)
                    {
                        StartReading(entry, keyName, now);
                    }

                    return ring;
                }
            }

            reading = entry.Reading ?? StartReading(entry, keyName, now);
        }

        return await reading.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceKeyRing> RotateAsync(string keyName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        var version = await AddVersionAsync(keyName, cancellationToken).ConfigureAwait(false);
        LogRotated(_logger, keyName, version);

        // A read already in flight may have started before the new version existed, so this one does not join it,
        // and that older read, should it finish later, does not replace what this one stores.
        var entry = _cache.GetOrAdd(keyName, static _ => new CachedRing());
        long sequence;
        lock (entry)
        {
            sequence = ++entry.Started;
        }

        var ring = await ReadOrCreateAsync(keyName, cancellationToken).ConfigureAwait(false);
        lock (entry)
        {
            Store(entry, ring, sequence);
            entry.AttemptedAt = entry.LoadedAt;
        }

        return ring;
    }

    /// <summary>Starts the one shared read of a key; called under the entry's lock, which the read does not hold.</summary>
    private Task<ServiceKeyRing> StartReading(CachedRing entry, string keyName, DateTimeOffset now)
    {
        entry.AttemptedAt = now;
        var reading = ReadIntoCacheAsync(entry, keyName, ++entry.Started);
        if (!reading.IsCompleted)
        {
            entry.Reading = reading;
        }

        return reading;
    }

    private async Task<ServiceKeyRing> ReadIntoCacheAsync(CachedRing entry, string keyName, long sequence)
    {
        try
        {
            // Shared by every caller, so no caller's cancellation stops it; each caller stops waiting on its own.
            var ring = await ReadOrCreateAsync(keyName, CancellationToken.None).ConfigureAwait(false);
            lock (entry)
            {
                Store(entry, ring, sequence);
            }

            return ring;
        }
        catch (Exception ex) when (entry.Ring is { } previous && ex is not OutOfMemoryException)
        {
            // The ring already known keeps working; the next read is tried after the minimum interval.
            LogRefreshFailed(_logger, keyName, ex.GetType().Name, ex is RequestFailedException failed ? failed.Status : 0);
            return previous;
        }
        finally
        {
            lock (entry)
            {
                entry.Reading = null;
            }
        }
    }

    /// <summary>Keeps <paramref name="ring"/> unless a read started after it was already stored; under the entry's lock.</summary>
    private void Store(CachedRing entry, ServiceKeyRing ring, long sequence)
    {
        if (sequence > entry.Stored)
        {
            entry.Ring = ring;
            entry.Stored = sequence;
            entry.LoadedAt = _time.GetUtcNow();
        }
    }

    private async Task<ServiceKeyRing> ReadOrCreateAsync(string keyName, CancellationToken cancellationToken)
    {
        var ring = await ReadAsync(keyName, cancellationToken).ConfigureAwait(false);
        if (ring is null)
        {
            await AddVersionAsync(keyName, cancellationToken).ConfigureAwait(false);
            LogCreated(_logger, keyName);
            ring = await ReadAsync(keyName, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The service key {keyName} was created in the state vault but no enabled version can be read back.");
        }

        return ring;
    }

    private async Task<string> AddVersionAsync(string keyName, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(keyName, Convert.ToBase64String(ServiceKeyNames.NewKey()));
        secret.Properties.ContentType = "application/octet-stream; base64";
        secret.Properties.Tags["kind"] = "service-key";
        secret.Properties.Tags[CreatedTag] = _time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
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

        // Key Vault's creation times have one-second resolution, so two rotations in one second would tie and the
        // random version id would decide. Versions carry their own precise creation time; the id breaks what is left.
        var newest = usable
            .OrderByDescending(CreatedAt)
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

    private static DateTimeOffset CreatedAt(SecretProperties properties) =>
        properties.Tags.TryGetValue(CreatedTag, out var tag)
        && DateTimeOffset.TryParse(tag, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var precise)
            ? precise
            : properties.CreatedOn ?? DateTimeOffset.MinValue;

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Created the service key {KeyName} in the state vault")]
    private static partial void LogCreated(ILogger logger, string keyName);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Could not read the service key {KeyName} again ({ErrorType}, status {Status}); the ring read before keeps working")]
    private static partial void LogRefreshFailed(ILogger logger, string keyName, string errorType, int status);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Rotated the service key {KeyName}: version {Version} signs from now on, the previous one still verifies")]
    private static partial void LogRotated(ILogger logger, string keyName, string version);

    private sealed class CachedRing
    {
        public ServiceKeyRing? Ring { get; set; }

        public DateTimeOffset LoadedAt { get; set; } = DateTimeOffset.MinValue;

        /// <summary>When the last read started, successful or not; reads are at least the minimum interval apart.</summary>
        public DateTimeOffset AttemptedAt { get; set; } = DateTimeOffset.MinValue;

        public Task<ServiceKeyRing>? Reading { get; set; }

        /// <summary>Reads started so far, numbered; a read stores its ring only if no later-started read stored one.</summary>
        public long Started { get; set; }

        public long Stored { get; set; }
    }
}
