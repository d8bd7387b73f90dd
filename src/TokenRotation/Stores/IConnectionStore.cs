using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// The state vault (architecture section 3): one secret per connection, <c>conn-{name}</c>, holding its
/// <see cref="ConnectionDocument"/> as JSON, with its <see cref="ConnectionIndex"/> as tags. Primitive
/// operations only; fencing (generation checks) is the engine's job (<see cref="Engine.ConnectionSession"/>).
/// </summary>
public interface IConnectionStore
{
    /// <summary>Lists the index of every connection from secret properties, never reading a value.</summary>
    IAsyncEnumerable<ConnectionIndex> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads a connection's document; null when it does not exist (or is deleted).</summary>
    Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version of the document with its index as tags (one secret write).</summary>
    Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default);

    /// <summary>Replaces the tags only; creates no version.</summary>
    Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default);

    /// <summary>Deletes the connection (soft delete where the store has it). Returns false when it did not exist.</summary>
    Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default);

    /// <summary>True when the name is deleted but recoverable (purge protection keeps it blocked).</summary>
    Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default);

    /// <summary>Recovers a soft-deleted connection.</summary>
    Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default);
}
