using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// The consumer vault on a <see cref="SecretClient"/>: secret <c>netsuite-{name}</c> holds what the systems that call
/// NetSuite read, either an access token (with <c>ExpiresOn</c>) or the TBA set as one JSON secret, tagged with the
/// format's <c>schemaVersion</c> (docs/consumers.md). The projection
/// is regenerable, so a soft-deleted name is recovered and overwritten rather than refused.
/// </summary>
internal sealed partial class KeyVaultConsumerPublisher : IConsumerPublisher
{
    private readonly SecretClient _client;
    private readonly VaultWriter _writer;
    private readonly ILogger _logger;

    /// <param name="client">Client of the consumer vault.</param>
    /// <param name="writePipeline">The consumer vault's write limiter (<see cref="KeyVaultWritePipelines.Consumer"/>).</param>
    /// <param name="metrics">Where reads and writes are counted; <see cref="KeyVaultMetrics.Shared"/> when null.</param>
    /// <param name="timeProvider">Clock for the limiter-wait measurement.</param>
    /// <param name="logger">Receives recoveries of deleted projections.</param>
    public KeyVaultConsumerPublisher(
        SecretClient client,
        ResiliencePipeline writePipeline,
        KeyVaultMetrics? metrics = null,
        TimeProvider? timeProvider = null,
        ILogger<KeyVaultConsumerPublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(writePipeline);
        _client = client;
        _writer = new VaultWriter(writePipeline, metrics ?? KeyVaultMetrics.Shared, KeyVaultMetrics.ConsumerVault, timeProvider ?? TimeProvider.System);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public Task PublishAccessTokenAsync(ConnectionName name, string account, string accessToken, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrEmpty(account);
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        var secret = new KeyVaultSecret(SecretNames.Consumer(name), accessToken);
        secret.Properties.ContentType = ConsumerProjections.AccessTokenContentType;
        secret.Properties.ExpiresOn = expiresAt;
        ConsumerProjections.Tag(secret.Properties.Tags, ConsumerProjections.AccessTokenKind, account);
        return SetAsync(secret, cancellationToken);
    }

    public Task PublishTbaAsync(ConnectionName name, TbaProjection projection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(projection);
        var secret = new KeyVaultSecret(SecretNames.Consumer(name), ConsumerProjections.ToJson(projection));
        secret.Properties.ContentType = ConsumerProjections.JsonContentType;
        ConsumerProjections.Tag(secret.Properties.Tags, ConsumerProjections.TbaKind, projection.Account);
        return SetAsync(secret, cancellationToken);
    }

    public async Task<ConsumerProjection?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        KeyVaultSecret secret;
        try
        {
            secret = (await _client.GetSecretAsync(SecretNames.Consumer(name), cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        _writer.Metrics.Read(_writer.Vault);
        return new ConsumerProjection(secret.Value, secret.Properties.ExpiresOn, new Dictionary<string, string>(secret.Properties.Tags, StringComparer.Ordinal));
    }

    public Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return KeyVaultErrors.DeleteAsync(_client, _writer, SecretNames.Consumer(name), cancellationToken);
    }

    private async Task SetAsync(KeyVaultSecret secret, CancellationToken cancellationToken)
    {
        try
        {
            await _writer.WriteAsync(token => _client.SetSecretAsync(secret, token), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            if (!await KeyVaultErrors.IsDeletedAsync(_client, secret.Name, cancellationToken).ConfigureAwait(false))
            {
                throw KeyVaultErrors.NameBlocked(secret.Name, ex);
            }

            // A connection deleted and imported again: purge protection blocks the name until it is recovered.
            LogRecovering(_logger, secret.Name);
            await KeyVaultErrors.RecoverAsync(_client, _writer, secret.Name, cancellationToken).ConfigureAwait(false);
            try
            {
                await _writer.WriteAsync(token => _client.SetSecretAsync(secret, token), cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException again) when (again.Status == 409)
            {
                throw KeyVaultErrors.NameBlocked(secret.Name, again);
            }
        }

        _writer.Metrics.Write(_writer.Vault);
    }

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Consumer secret {SecretName} was soft-deleted; recovering it to publish a new version")]
    private static partial void LogRecovering(ILogger logger, string secretName);
}
