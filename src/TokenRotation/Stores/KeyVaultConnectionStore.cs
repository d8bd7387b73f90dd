using System.Runtime.CompilerServices;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// The state vault on a <see cref="SecretClient"/> (architecture section 3): secret <c>conn-{name}</c> holds the
/// connection document as JSON, its tags are the <see cref="ConnectionIndex"/>. Listing reads property pages only;
/// tag updates create no version; every secret write passes the vault's write limiter.
/// </summary>
internal sealed partial class KeyVaultConnectionStore : IConnectionStore
{
    public const string JsonContentType = "application/json";

    private readonly SecretClient _client;
    private readonly VaultWriter _writer;
    private readonly ILogger _logger;
    private volatile bool _versionlessUpdatesRefused;

    /// <param name="client">Client of the state vault.</param>
    /// <param name="writePipeline">The state vault's write limiter (<see cref="KeyVaultWritePipelines.State"/>).</param>
    /// <param name="metrics">Where reads and writes are counted; <see cref="KeyVaultMetrics.Shared"/> when null.</param>
    /// <param name="timeProvider">Clock for the limiter-wait measurement.</param>
    /// <param name="logger">Receives skipped secrets.</param>
    public KeyVaultConnectionStore(
        SecretClient client,
        ResiliencePipeline writePipeline,
        KeyVaultMetrics? metrics = null,
        TimeProvider? timeProvider = null,
        ILogger<KeyVaultConnectionStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(writePipeline);
        _client = client;
        _writer = new VaultWriter(writePipeline, metrics ?? KeyVaultMetrics.Shared, KeyVaultMetrics.StateVault, timeProvider ?? TimeProvider.System);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async IAsyncEnumerable<ConnectionIndex> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in _client.GetPropertiesOfSecretsAsync(cancellationToken).AsPages().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            _writer.Metrics.ListPage(_writer.Vault);
            foreach (var properties in page.Values)
            {
                if (SecretNames.FromStateSecret(properties.Name) is not { } name)
                {
                    continue;
                }

                var index = ConnectionIndex.FromTags(name, properties.Tags.AsReadOnly());
                if (index is null)
                {
                    LogUnindexed(_logger, properties.Name);
                    continue;
                }

                yield return index;
            }
        }
    }

    public async Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var secretName = SecretNames.State(name);
        KeyVaultSecret secret;
        try
        {
            secret = (await _client.GetSecretAsync(secretName, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        _writer.Metrics.Read(_writer.Vault);
        var document = ConnectionDocument.FromJson(secret.Value, secretName);
        document.StoredIndex = ConnectionIndex.FromTags(name, secret.Properties.Tags.AsReadOnly());
        return document;
    }

    public async Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(index);
        if (!ConnectionName.TryParse(document.Name, out var documentName) || !documentName.Equals(index.Name))
        {
            throw new ArgumentException($"The document is for connection '{document.Name}' but the index is for '{index.Name}'.", nameof(index));
        }

        var secret = new KeyVaultSecret(SecretNames.State(index.Name), document.ToJson());
        secret.Properties.ContentType = JsonContentType;
        foreach (var tag in index.ToTags())
        {
            secret.Properties.Tags[tag.Key] = tag.Value;
        }

        try
        {
            await _writer.WriteAsync(token => _client.SetSecretAsync(secret, token), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw KeyVaultErrors.NameBlocked(secret.Name, ex);
        }

        _writer.Metrics.Write(_writer.Vault);
    }

    public async Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        var secretName = SecretNames.State(index.Name);
        try
        {
            if (!_versionlessUpdatesRefused)
            {
                try
                {
                    await UpdateTagsAsync(KeyVaultErrors.LatestVersionProperties(_client.VaultUri, secretName), index, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (RequestFailedException ex) when (ex.Status is 400 or 405)
                {
                    // Some Key Vault implementations refuse PATCH /secrets/{name}/; from now on name the version.
                    _versionlessUpdatesRefused = true;
                    LogVersionlessRefused(_logger, secretName, ex.Status);
                }
            }

            var latest = (await _client.GetSecretAsync(secretName, cancellationToken: cancellationToken).ConfigureAwait(false)).Value.Properties;
            _writer.Metrics.Read(_writer.Vault);
            await UpdateTagsAsync(new SecretProperties(latest.Id), index, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InvalidOperationException($"Connection {index.Name} does not exist in the state vault; its index cannot be updated.", ex);
        }
        catch (RequestFailedException ex)
        {
            throw KeyVaultErrors.UpdateFailed(secretName, ex);
        }
    }

    private async Task UpdateTagsAsync(SecretProperties properties, ConnectionIndex index, CancellationToken cancellationToken)
    {
        foreach (var tag in index.ToTags())
        {
            properties.Tags[tag.Key] = tag.Value;
        }

        await _writer.WriteAsync(token => _client.UpdateSecretPropertiesAsync(properties, token), cancellationToken).ConfigureAwait(false);
        _writer.Metrics.PropertyUpdate(_writer.Vault);
    }

    public Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return KeyVaultErrors.DeleteAsync(_client, _writer, SecretNames.State(name), cancellationToken);
    }

    public Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return KeyVaultErrors.IsDeletedAsync(_client, SecretNames.State(name), cancellationToken);
    }

    public Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return KeyVaultErrors.RecoverAsync(_client, _writer, SecretNames.State(name), cancellationToken);
    }

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "The state vault refused a tag update of {SecretName} without a version ({Status}); tag updates now name the latest version explicitly")]
    private static partial void LogVersionlessRefused(ILogger logger, string secretName, int status);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "State secret {SecretName} has no connection index in its tags (kind, account); the sweep skips it")]
    private static partial void LogUnindexed(ILogger logger, string secretName);
}
