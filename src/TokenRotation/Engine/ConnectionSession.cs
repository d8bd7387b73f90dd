using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>
/// One holder's view of one connection while it holds the connection's lease. Every write is fenced
/// (DESIGN section 5): the lease must still be held, the stored generation must equal the one this
/// session last saw, and after the write the stored generation is read back and must be the one written.
/// A mismatch aborts the work with <see cref="FencingException"/>.
/// </summary>
public sealed class ConnectionSession
{
    private readonly IConnectionStore _store;
    private readonly ILease _lease;
    private readonly Func<ConnectionDocument, ConnectionIndex> _indexer;

    internal ConnectionSession(IConnectionStore store, ILease lease, ConnectionDocument document, Func<ConnectionDocument, ConnectionIndex> indexer)
    {
        _store = store;
        _lease = lease;
        _indexer = indexer;
        Document = document;
        Name = ConnectionName.Parse(document.Name);
    }

    public ConnectionName Name { get; }

    /// <summary>The working copy; change it, then <see cref="SaveAsync"/>.</summary>
    public ConnectionDocument Document { get; private set; }

    public ILease Lease => _lease;

    /// <summary>Number of state-secret writes this session made.</summary>
    public int Writes { get; private set; }

    /// <summary>Persists the working copy as a new version (generation + 1), fenced.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        _lease.EnsureHeld();
        var stored = await _store.GetAsync(Name, cancellationToken).ConfigureAwait(false)
            ?? throw new FencingException(Name, Document.Generation, null, "the connection was deleted");
        if (stored.Generation != Document.Generation)
        {
            throw new FencingException(Name, Document.Generation, stored.Generation, "another writer changed it");
        }

        var next = Document.Clone();
        next.Generation = Document.Generation + 1;
        var index = _indexer(next);
        _lease.EnsureHeld();
        await _store.SaveAsync(next, index, cancellationToken).ConfigureAwait(false);
        Writes++;

        var readBack = await _store.GetAsync(Name, cancellationToken).ConfigureAwait(false);
        if (readBack?.Generation != next.Generation)
        {
            throw new FencingException(Name, next.Generation, readBack?.Generation, "the write was overtaken");
        }

        // The write set these tags: the index is stored as of now, so no tag-only update has to repeat it.
        next.StoredIndex = index;
        Document = next;
    }

    /// <summary>Updates the index tags only (scheduling); no new version.</summary>
    public async Task UpdateIndexAsync(CancellationToken cancellationToken)
    {
        _lease.EnsureHeld();
        var index = _indexer(Document);
        await _store.UpdateIndexAsync(index, cancellationToken).ConfigureAwait(false);
        Document.StoredIndex = index;
    }

    public ConnectionIndex CurrentIndex() => _indexer(Document);
}

/// <summary>A fenced write found the stored state was not what this holder expected; the work stopped.</summary>
public sealed class FencingException(ConnectionName name, long expected, long? found, string reason)
    : Exception($"Connection {name}: expected generation {expected} but found {(found?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")} ({reason}); the work stopped without writing.")
{
    public ConnectionName Connection { get; } = name;
}
