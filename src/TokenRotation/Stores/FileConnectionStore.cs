using System.Runtime.CompilerServices;
using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// The state vault as a local folder (<see cref="FileSecretFolder"/>), for running without Azure. Same layout as
/// <see cref="KeyVaultConnectionStore"/>: secret <c>conn-{name}</c>, JSON document, index as tags.
/// </summary>
internal sealed class FileConnectionStore(FileSecretFolder folder) : IConnectionStore
{
    public FileConnectionStore(string folder, TimeProvider? timeProvider = null)
        : this(new FileSecretFolder(folder, timeProvider))
    {
    }

    public FileSecretFolder Folder { get; } = folder ?? throw new ArgumentNullException(nameof(folder));

    public async IAsyncEnumerable<ConnectionIndex> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var (secretName, tags) in await Folder.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (SecretNames.FromStateSecret(secretName) is { } name && ConnectionIndex.FromTags(name, tags) is { } index)
            {
                yield return index;
            }
        }
    }

    public async Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var secretName = SecretNames.State(name);
        var version = await Folder.GetAsync(secretName, cancellationToken).ConfigureAwait(false);
        if (version is null)
        {
            return null;
        }

        var document = ConnectionDocument.FromJson(version.Value, secretName);
        document.StoredIndex = ConnectionIndex.FromTags(name, version.Tags);
        return document;
    }

    public Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(index);
        if (!ConnectionName.TryParse(document.Name, out var documentName) || !documentName.Equals(index.Name))
        {
            throw new ArgumentException($"The document is for connection '{document.Name}' but the index is for '{index.Name}'.", nameof(index));
        }

        return Folder.SetAsync(SecretNames.State(index.Name), document.ToJson(), KeyVaultConnectionStore.JsonContentType, index.ToTags(), null, cancellationToken);
    }

    public Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        return Folder.UpdateTagsAsync(SecretNames.State(index.Name), index.ToTags(), cancellationToken);
    }

    public Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Folder.DeleteAsync(SecretNames.State(name), cancellationToken);
    }

    public Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Folder.IsDeletedAsync(SecretNames.State(name), cancellationToken);
    }

    public Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Folder.RecoverAsync(SecretNames.State(name), cancellationToken);
    }

    /// <summary>How many versions the connection's state secret has (for the demo's figures).</summary>
    public Task<int> GetVersionCountAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Folder.GetVersionCountAsync(SecretNames.State(name), cancellationToken);
    }
}
