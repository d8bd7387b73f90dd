using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// The consumer vault as a local folder (<see cref="FileSecretFolder"/>), for running without Azure. Same shape as
/// <see cref="KeyVaultConsumerPublisher"/>: secret <c>netsuite-{name}</c>, tags kind and account.
/// </summary>
public sealed class FileConsumerPublisher(FileSecretFolder folder) : IConsumerPublisher
{
    public FileConsumerPublisher(string folder, TimeProvider? timeProvider = null)
        : this(new FileSecretFolder(folder, timeProvider))
    {
    }

    public FileSecretFolder Folder { get; } = folder ?? throw new ArgumentNullException(nameof(folder));

    public Task PublishAccessTokenAsync(ConnectionName name, string account, string accessToken, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrEmpty(account);
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        return SetAsync(name, accessToken, ConsumerProjections.AccessTokenContentType, ConsumerProjections.AccessTokenKind, account, expiresAt, cancellationToken);
    }

    public Task PublishTbaAsync(ConnectionName name, TbaProjection projection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(projection);
        return SetAsync(name, ConsumerProjections.ToJson(projection), ConsumerProjections.JsonContentType, ConsumerProjections.TbaKind, projection.Account, null, cancellationToken);
    }

    public async Task<ConsumerProjection?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var version = await Folder.GetAsync(SecretNames.Consumer(name), cancellationToken).ConfigureAwait(false);
        return version is null ? null : new ConsumerProjection(version.Value, version.ExpiresOn, version.Tags);
    }

    public Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Folder.DeleteAsync(SecretNames.Consumer(name), cancellationToken);
    }

    private async Task SetAsync(ConnectionName name, string value, string contentType, string kind, string account, DateTimeOffset? expiresOn, CancellationToken cancellationToken)
    {
        var secretName = SecretNames.Consumer(name);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        ConsumerProjections.Tag(tags, kind, account);

        // As the Key Vault publisher does: a projection is regenerable, so a deleted one is recovered and overwritten.
        if (await Folder.IsDeletedAsync(secretName, cancellationToken).ConfigureAwait(false))
        {
            await Folder.RecoverAsync(secretName, cancellationToken).ConfigureAwait(false);
        }

        await Folder.SetAsync(secretName, value, contentType, tags, expiresOn, cancellationToken).ConfigureAwait(false);
    }
}
