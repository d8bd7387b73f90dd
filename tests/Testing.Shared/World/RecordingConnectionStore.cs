using TokenRotation.Connections;
using TokenRotation.Stores;

namespace Testing.Shared;

/// <summary>Records every state-vault write, index update and intent marker of the engine's connection store.</summary>
internal sealed class RecordingConnectionStore(IConnectionStore inner, SideEffects effects) : IConnectionStore, IConnectionMarkerStore
{
    public async Task SaveMarkerAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        var markers = inner as IConnectionMarkerStore ?? throw new NotSupportedException("The world's connection store keeps no markers.");
        await markers.SaveMarkerAsync(document, index, cancellationToken);
        effects.Happened($"state marker {document.Name} gen {document.Generation} rotation {document.Rotation?.Step}");
    }

    public IAsyncEnumerable<ConnectionIndex> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

    public Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

    public async Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        await inner.SaveAsync(document, index, cancellationToken);
        effects.Happened($"state write {document.Name} gen {document.Generation} rotation {document.Rotation?.Step}");
    }

    public async Task UpdateIndexAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        await (inner is IConnectionMarkerStore rows ? rows.UpdateIndexAsync(document, index, cancellationToken) : inner.UpdateIndexAsync(index, cancellationToken));
        effects.Happened($"tag update {index.Name}");
    }

    public async Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        await inner.UpdateIndexAsync(index, cancellationToken);
        effects.Happened($"tag update {index.Name}");
    }

    public async Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteAsync(name, cancellationToken);
        effects.Happened($"state delete {name}");
        return deleted;
    }

    public Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.IsDeletedAsync(name, cancellationToken);

    public Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.RecoverAsync(name, cancellationToken);
}
