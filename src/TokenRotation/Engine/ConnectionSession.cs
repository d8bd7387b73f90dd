using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>
/// One holder's view of one connection while it holds the connection's lease. Every write is fenced
/// (architecture section 5): the lease must still be held, the stored generation must equal the one this
/// session last saw, and after the write the stored generation is read back and must be the one written.
/// A mismatch aborts the work with <see cref="FencingException"/>.
/// </summary>
internal sealed class ConnectionSession
{
    private readonly IConnectionStore _store;
    private readonly ILease _lease;
    private readonly Func<ConnectionDocument, ConnectionIndex> _indexer;
    private readonly string _writerId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
    private (long Generation, string Source, ConnectionIndex Index)? _inFlight;

    internal ConnectionSession(IConnectionStore store, ILease lease, ConnectionDocument document, Func<ConnectionDocument, ConnectionIndex> indexer)
    {
        _store = store;
        _lease = lease;
        _indexer = indexer;
        Document = document;
        Name = ConnectionName.Parse(document.Name);
    }

    public ConnectionName Name { get; }

    /// <summary>The working copy: change it in place, then <see cref="SaveAsync"/>. It stays the same object for the session.</summary>
    public ConnectionDocument Document { get; }

    public ILease Lease => _lease;

    /// <summary>Random per session; stored in every document this session writes.</summary>
    public string WriterId => _writerId;

    /// <summary>Number of state-secret writes this session made.</summary>
    public int Writes { get; private set; }

    /// <summary>
    /// Persists the working copy as a new version (generation + 1), fenced. On success the document carries the new
    /// generation, this session's writer id and the index tags just written; on failure it is as it was before the call.
    /// </summary>
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        _lease.EnsureHeld();
        var stored = await _store.GetAsync(Name, cancellationToken).ConfigureAwait(false)
            ?? throw new FencingException(Name, Document.Generation, null, "the connection was deleted");
        if (_inFlight is { } landed && stored.Generation == landed.Generation
            && string.Equals(stored.WriterId, _writerId, StringComparison.Ordinal) && landed.Source == Document.ToJson())
        {
            // This very write landed on an earlier attempt whose answer was lost: adopt it instead of writing again.
            _inFlight = null;
            Document.Generation = landed.Generation;
            Document.WriterId = _writerId;
            Document.StoredIndex = landed.Index;
            return;
        }

        if (stored.Generation != Document.Generation)
        {
            throw new FencingException(Name, Document.Generation, stored.Generation, "another writer changed it");
        }

        if (!string.Equals(stored.WriterId, Document.WriterId, StringComparison.Ordinal))
        {
            throw new FencingException(Name, Document.Generation, stored.Generation,
                $"lost update: generation {stored.Generation} was written by another holder since this one read it");
        }

        var source = Document.ToJson();
        var (readGeneration, readWriterId) = (Document.Generation, Document.WriterId);
        Document.Generation = readGeneration + 1;
        Document.WriterId = _writerId;
        try
        {
            var index = _indexer(Document);
            _lease.EnsureHeld();
            _inFlight = (Document.Generation, source, index);
            var rowRefused = false;
            try
            {
                await _store.SaveAsync(Document, index, cancellationToken).ConfigureAwait(false);
            }
            catch (IndexRowConflictException)
            {
                // The document landed in the vault; its row was written by another holder since this one read it. The
                // read-back below says whose document stayed: only that holder's index belongs in the row.
                rowRefused = true;
            }

            _inFlight = null;
            Writes++;

            // Two overlapping holders write the same generation: only the writer id tells whose write stayed.
            var readBack = await _store.GetAsync(Name, cancellationToken).ConfigureAwait(false);
            if (readBack?.Generation != Document.Generation)
            {
                throw new FencingException(Name, Document.Generation, readBack?.Generation, "lost update: the write was overtaken");
            }

            if (!string.Equals(readBack.WriterId, _writerId, StringComparison.Ordinal))
            {
                throw new FencingException(Name, Document.Generation, readBack.Generation,
                    "lost update: another holder wrote the same generation at the same time and its write stayed");
            }

            if (rowRefused && _store is IConnectionMarkerStore rows)
            {
                // This holder's document is the stored one: its index goes into the row, conditional on the row as read
                // back (the other holder's write), so that a third writer is still not overwritten.
                Document.IndexRowVersion = readBack.IndexRowVersion;
                try
                {
                    await rows.UpdateIndexAsync(Document, index, cancellationToken).ConfigureAwait(false);
                }
                catch (IndexRowConflictException ex)
                {
                    throw new FencingException(Name, Document.Generation, readBack.Generation, "another holder wrote the connection's index row since this one read it", ex);
                }
            }

            // The write set these tags: the index is stored as of now, so no tag-only update has to repeat it.
            Document.StoredIndex = index;
        }
        catch
        {
            // The document stays the one this session read, so that a retry can tell whether this write landed.
            (Document.Generation, Document.WriterId) = (readGeneration, readWriterId);
            throw;
        }
    }

    /// <summary>True when the store keeps intent markers with the index (<see cref="IConnectionMarkerStore"/>).</summary>
    public bool KeepsMarkers => _store is IConnectionMarkerStore;

    /// <summary>
    /// Persists an intent (a public client's refresh start, a rotation's intent) before the call it announces, as a
    /// marker with the index (architecture section 13): under the lease, without a state-vault version. Only for a store
    /// that <see cref="KeepsMarkers"/>; any other store gets the fenced <see cref="SaveAsync"/> instead.
    /// </summary>
    public async Task SaveIntentAsync(CancellationToken cancellationToken)
    {
        var markers = _store as IConnectionMarkerStore
            ?? throw new InvalidOperationException("The connection store keeps no intent markers; save the document instead.");
        _lease.EnsureHeld();

        // A new id: the next document this session writes carries it, which is what retires the marker.
        Document.IntentMarker = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var index = _indexer(Document);
        try
        {
            await markers.SaveMarkerAsync(Document, index, cancellationToken).ConfigureAwait(false);
        }
        catch (IndexRowConflictException ex)
        {
            throw new FencingException(Name, Document.Generation, null, "another holder wrote the connection's index row since this one read it", ex);
        }

        Document.StoredIndex = index;
    }

    /// <summary>Updates the index tags only (scheduling); no new version.</summary>
    public Task UpdateIndexAsync(CancellationToken cancellationToken) => UpdateIndexAsync(_indexer(Document), cancellationToken);

    /// <summary>
    /// Writes <paramref name="index"/> as the connection's index (no new version): where the store keeps the index in a
    /// table, conditional on the row this session read (architecture section 13), so that a holder whose lease lapsed
    /// cannot overwrite the schedule or intent of the holder after it.
    /// </summary>
    public async Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        _lease.EnsureHeld();
        if (_store is IConnectionMarkerStore rows)
        {
            try
            {
                await rows.UpdateIndexAsync(Document, index, cancellationToken).ConfigureAwait(false);
            }
            catch (IndexRowConflictException ex)
            {
                throw new FencingException(Name, Document.Generation, null, "another holder wrote the connection's index row since this one read it", ex);
            }
        }
        else
        {
            await _store.UpdateIndexAsync(index, cancellationToken).ConfigureAwait(false);
        }

        Document.StoredIndex = index;
    }

    public ConnectionIndex CurrentIndex() => _indexer(Document);
}
