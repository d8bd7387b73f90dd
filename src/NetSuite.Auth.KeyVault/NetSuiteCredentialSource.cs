using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetSuite.Auth.KeyVault;

/// <summary>
/// One connection's consumer-vault secret, cached (read through an <see cref="INetSuiteCredentialReader"/>, Key Vault by default): read when there is none yet, shortly before an access token
/// expires, after <see cref="NetSuiteCredentialOptions.CacheDuration"/> for a TBA set, and once after an
/// authentication failure. Concurrent callers share one read. Keep one per connection for the life of the process
/// (the DI registration does), not one per handler: handlers are recycled every few minutes.
/// </summary>
public sealed partial class NetSuiteCredentialSource
{
    private readonly INetSuiteCredentialReader _reader;
    private readonly NetSuiteCredentialOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Task<ConsumerCredential>? _inFlight;
    private ConsumerCredential? _current;
    private DateTimeOffset _freshUntil;
    private DateTimeOffset _lastForcedRead = DateTimeOffset.MinValue;
    private long _reads;

    /// <summary>Creates a source that makes its own <see cref="SecretClient"/> from the options.</summary>
    /// <param name="options">Vault, connection, identity and cache times.</param>
    /// <param name="timeProvider">The clock, when the options name none; the system clock when both are null.</param>
    /// <param name="logger">Receives reads and failures (never a secret).</param>
    public NetSuiteCredentialSource(NetSuiteCredentialOptions options, TimeProvider? timeProvider = null, ILogger<NetSuiteCredentialSource>? logger = null)
        : this(new KeyVaultCredentialReader(KeyVaultCredentialReader.CreateClient(options)), options, timeProvider, logger)
    {
    }

    /// <summary>Creates a source on a given <see cref="SecretClient"/> (its vault wins over <see cref="NetSuiteCredentialOptions.VaultUri"/>).</summary>
    /// <param name="client">Client of the consumer vault.</param>
    /// <param name="options">Connection and cache times.</param>
    /// <param name="timeProvider">The clock, when the options name none; the system clock when both are null.</param>
    /// <param name="logger">Receives reads and failures (never a secret).</param>
    public NetSuiteCredentialSource(SecretClient client, NetSuiteCredentialOptions options, TimeProvider? timeProvider = null, ILogger<NetSuiteCredentialSource>? logger = null)
        : this(new KeyVaultCredentialReader(client ?? throw new ArgumentNullException(nameof(client))), WithVault(options, client), timeProvider, logger)
    {
    }

    /// <summary>
    /// Creates a source on another reader (a test double, or a store other than Key Vault). The caching, refusal and
    /// resend rules are the same; <see cref="NetSuiteCredentialOptions.VaultUri"/>, <see cref="NetSuiteCredentialOptions.Credential"/>
    /// and <see cref="NetSuiteCredentialOptions.SecretClientOptions"/> are not used.
    /// </summary>
    /// <param name="reader">Reads the connection's secret.</param>
    /// <param name="options">Connection and cache times.</param>
    /// <param name="timeProvider">The clock, when the options name none; the system clock when both are null.</param>
    /// <param name="logger">Receives reads and failures (never a secret).</param>
    public NetSuiteCredentialSource(INetSuiteCredentialReader reader, NetSuiteCredentialOptions options, TimeProvider? timeProvider = null, ILogger<NetSuiteCredentialSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(requireVault: false);
        _reader = reader;
        _options = options;
        SecretName = options.ResolveSecretName();
        _time = options.TimeProvider ?? timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The secret read, e.g. <c>netsuite-erp</c>.</summary>
    public string SecretName { get; }

    /// <summary>Key Vault reads made so far (successful or not).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>The credential to use now: the cached one while it is fresh, else one shared read.</summary>
    /// <param name="cancellationToken">Stops this caller's wait (not the shared read).</param>
    /// <returns>The credential.</returns>
    /// <exception cref="NetSuiteCredentialException">There is no usable credential: the secret is missing, unreadable or not understood.</exception>
    public Task<ConsumerCredential> GetAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_current is not null && _time.GetUtcNow() < _freshUntil)
            {
                return Task.FromResult(_current);
            }

            return SharedReadLocked().WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// After NetSuite refused <paramref name="used"/>: the latest version when it differs from the one used (reading
    /// the vault at most once per <see cref="NetSuiteCredentialOptions.MinimumRereadInterval"/>, shared by concurrent
    /// callers); null when there is nothing newer.
    /// </summary>
    /// <param name="used">The credential the refused request carried.</param>
    /// <param name="cancellationToken">Stops this caller's wait (not the shared read).</param>
    /// <returns>A newer credential, or null.</returns>
    public async Task<ConsumerCredential?> GetNewerThanAsync(ConsumerCredential used, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(used);
        Task<ConsumerCredential> read;
        lock (_gate)
        {
            if (_current is not null && _current.Version != used.Version)
            {
                return _current;
            }

            // Nothing newer, and either a read already happened since this credential was read or a refusal forced
            // one moments ago: another read now would only repeat it.
            if (_inFlight is null
                && ((_current is not null && !ReferenceEquals(_current, used)) || _time.GetUtcNow() - _lastForcedRead < _options.MinimumRereadInterval))
            {
                LogRereadSkipped(_logger, SecretName, used.Version);
                return null;
            }

            _lastForcedRead = _time.GetUtcNow();
            read = SharedReadLocked();
        }

        ConsumerCredential latest;
        try
        {
            latest = await read.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NetSuiteCredentialException)
        {
            return null; // The refused response goes back to the caller unchanged; the read failure is logged.
        }

        return latest.Version != used.Version ? latest : null;
    }

    private Task<ConsumerCredential> SharedReadLocked() => _inFlight ??= ReadAsync();

    private async Task<ConsumerCredential> ReadAsync()
    {
        // Yield first so the in-flight task is published under the lock before the read can finish and clear it.
        await Task.Yield();
        try
        {
            Interlocked.Increment(ref _reads);
            var credential = await ReadOnceAsync().ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var freshUntil = credential.ExpiresOn is { } expires
                ? expires - _options.RefreshBeforeExpiry
                : now + _options.CacheDuration;

            // A token near its end whose successor is not published yet: read again soon, not on every request.
            var floor = now + _options.MinimumRereadInterval;
            if (freshUntil < floor)
            {
                freshUntil = floor;
            }

            lock (_gate)
            {
                var changed = _current is null || _current.Version != credential.Version;
                _current = credential;
                _freshUntil = freshUntil;
                if (changed)
                {
                    LogRead(_logger, SecretName, credential.Version, credential.Kind, credential.ExpiresOn, freshUntil);
                }
            }

            return credential;
        }
        catch (NetSuiteCredentialException ex)
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();

                // Keep serving a credential that may still work rather than failing every request while the vault is away.
                if (_current is not null && (_current.ExpiresOn is null || _current.ExpiresOn > now))
                {
                    _freshUntil = now + _options.MinimumRereadInterval;
                    LogReadFailedKeptCached(_logger, SecretName, _current.Version, ex.GetType().Name, ex.Message);
                    return _current;
                }
            }

            LogReadFailed(_logger, SecretName, ex.GetType().Name, ex.Message);
            throw;
        }
        finally
        {
            lock (_gate)
            {
                _inFlight = null;
            }
        }
    }

    private async Task<ConsumerCredential> ReadOnceAsync()
    {
        // Not the caller's token: the read is shared by every caller waiting for it.
        var secret = await _reader.ReadAsync(SecretName, CancellationToken.None).ConfigureAwait(false)
            ?? throw new NetSuiteCredentialException($"Reading secret '{SecretName}' from {_reader.Location} returned nothing.");
        return ConsumerCredential.Parse(SecretName, secret.Version, secret.Value, secret.ExpiresOn, secret.Tags);
    }

    private static NetSuiteCredentialOptions WithVault(NetSuiteCredentialOptions options, SecretClient client)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.VaultUri ??= client.VaultUri;
        options.Validate();
        return options;
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Read NetSuite credential {SecretName} version {Version} ({Kind}, expires {ExpiresOn}); next read at {FreshUntil}")]
    private static partial void LogRead(ILogger logger, string secretName, string version, ConsumerCredentialKind kind, DateTimeOffset? expiresOn, DateTimeOffset freshUntil);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Reading NetSuite credential {SecretName} failed ({ErrorType}: {Reason}); still using version {Version}")]
    private static partial void LogReadFailedKeptCached(ILogger logger, string secretName, string version, string errorType, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "Reading NetSuite credential {SecretName} failed ({ErrorType}: {Reason})")]
    private static partial void LogReadFailed(ILogger logger, string secretName, string errorType, string reason);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Debug, Message = "NetSuite refused credential {SecretName} version {Version}; the vault was read moments ago, so it is not read again yet")]
    private static partial void LogRereadSkipped(ILogger logger, string secretName, string version);
}
