using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// A store that keeps intent markers out of the state vault (architecture section 13): a public client's refresh start
/// and a rotation's intent hold no secret, so they need a durable home, not a Key Vault version.
/// </summary>
internal interface IConnectionMarkerStore
{
    /// <summary>
    /// Keeps the document's intent (its <see cref="OAuth2Definition.RefreshStartedAt"/>, its <see cref="RotationProgress"/>
    /// and its status) with the index, as marker <see cref="ConnectionDocument.IntentMarker"/>. No state-vault write.
    /// <see cref="IConnectionStore.GetAsync"/> puts it back into every document read until one written by a holder that
    /// saw it carries its id: a crash before that write, or another writer's document that never saw it, still shows
    /// the intent.
    /// </summary>
    Task SaveMarkerAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default);

    /// <summary>
    /// Updates the index (a schedule change) of a document this holder read: conditional on the row being the one it
    /// read (<see cref="ConnectionDocument.IndexRowVersion"/>); <see cref="IndexRowConflictException"/> when another
    /// holder wrote the row since.
    /// </summary>
    Task UpdateIndexAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default);
}

/// <summary>
/// The state vault with its index in Table storage (architecture section 13): documents stay in the vault (one secret
/// per connection, every secret only there), while the schedule lives in one table row per connection, so that a
/// scheduling change costs no Key Vault write and a sweep lists no Key Vault page. Every document write still carries
/// its index as tags (free with the write), which is what a missing table is rebuilt from.
/// </summary>
internal sealed partial class TableIndexedConnectionStore : IConnectionStore, IConnectionMarkerStore
{
    private const string Partition = "index";
    private const string MarkerProperty = "marker";

    private readonly IConnectionStore _vault;
    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Task? _tableReady;

    /// <param name="vault">The state vault's store (documents, and tags written with each document).</param>
    /// <param name="table">The index table (<c>Coordination:IndexTable</c>).</param>
    /// <param name="timeProvider">Clock for a recovered connection, which is due at once.</param>
    /// <param name="logger">Receives the rebuilds.</param>
    public TableIndexedConnectionStore(IConnectionStore vault, TableClient table, TimeProvider? timeProvider = null, ILogger<TableIndexedConnectionStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(table);
        _vault = vault;
        _table = table;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// The index from the table: one query, no Key Vault request. An empty table is rebuilt from the vault's tags first.
    /// The tags are as of each document's last write, and only a later time ever moves to the table alone (the next
    /// refresh after a new access token); whatever brings work earlier (an error's retry, a rotation step, a consent,
    /// a warning's start) is a document write, which carries it in the tags. So a rebuilt schedule is never later than
    /// the lost one: at worst a connection runs early once.
    /// </summary>
    public async IAsyncEnumerable<ConnectionIndex> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var any = false;
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ToIndex(entity) is { } index)
            {
                any = true;
                yield return index;
            }
        }

        if (any)
        {
            yield break;
        }

        var rebuilt = 0;
        await foreach (var index in _vault.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                // Insert only: a row a run wrote meanwhile (with its marker) is newer than these tags.
                await _table.AddEntityAsync(ToEntity(index), cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }

            rebuilt++;
            yield return index;
        }

        if (rebuilt > 0)
        {
            LogRebuilt(_logger, rebuilt, _table.Name);
        }
    }

    /// <summary>The document from the vault, with its stored index from the table (or from its tags when they are newer).</summary>
    public async Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var document = await _vault.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }

        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, name.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
        document.IndexRowVersion = row.HasValue && row.Value is { } read ? read.ETag.ToString() : "";
        if (row.HasValue && row.Value is { } entity && ToIndex(entity) is { } index && index.Generation >= document.Generation)
        {
            // A row older than the document lost its write after the document's: the tags written with the document win.
            document.StoredIndex = index;
        }

        if (row.HasValue && row.Value?.GetString(MarkerProperty) is { Length: > 0 } json
            && Marker.FromJson(json) is { } marker && !string.Equals(marker.Id, document.IntentMarker, StringComparison.Ordinal))
        {
            // An intent no written document accounts for yet: its holder stopped before its next write, or another writer
            // wrote without seeing it. This reader takes it over; its next write records that.
            marker.ApplyTo(document);
        }

        return document;
    }

    /// <summary>
    /// Writes the document (with its index as tags) to the vault, then its row, conditional on the row this holder read
    /// (<see cref="IndexRowConflictException"/> otherwise: the document is written, its row is not, and a read then
    /// takes the newer tags). An intent marker stays in the row (a merge): once this document carries its id it no
    /// longer applies, and a writer that never saw it must not drop it.
    /// </summary>
    public async Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(index);
        await _vault.SaveAsync(document, index, cancellationToken).ConfigureAwait(false);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await WriteRowAsync(document, ToEntity(index), TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UpdateIndexAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(index);
        if (document.IndexRowVersion is null)
        {
            await UpdateIndexAsync(index, cancellationToken).ConfigureAwait(false);
            return;
        }

        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await WriteRowAsync(document, ToEntity(index), TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the document's row, conditional on the version this holder read (architecture section 13): an update
    /// with <c>If-Match</c> on its ETag, an insert when it read no row. A document not read through the table (a new
    /// import) writes unconditionally. Either way the document then carries the row's new version.
    /// </summary>
    private async Task WriteRowAsync(ConnectionDocument document, TableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken)
    {
        Response response;
        try
        {
            response = document.IndexRowVersion switch
            {
                null => await _table.UpsertEntityAsync(entity, mode, cancellationToken).ConfigureAwait(false),
                "" => await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false),
                var version => await _table.UpdateEntityAsync(entity, new ETag(version), mode, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 409 || (ex.Status == 404 && document.IndexRowVersion is { Length: > 0 }))
        {
            // 412: another holder wrote the row since this one read it; 409: another created it; 404: another removed it.
            throw new IndexRowConflictException(ConnectionName.Parse(document.Name), ex);
        }

        document.IndexRowVersion = response.Headers.ETag?.ToString() ?? document.IndexRowVersion;
    }

    /// <summary>
    /// Updates the connection's row: no Key Vault request when the row exists. An intent marker stays (a merge). This
    /// write is unconditional, for a caller that read no document; the engine's runs use the conditional
    /// <see cref="UpdateIndexAsync(ConnectionDocument, ConnectionIndex, CancellationToken)"/>.
    /// </summary>
    public async Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _table.UpdateEntityAsync(ToEntity(index), ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No row yet (a connection written before the index moved to the table): only an existing connection gets one.
        }

        if (await _vault.GetAsync(index.Name, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new InvalidOperationException($"Connection {index.Name} does not exist in the state vault; its index cannot be updated.");
        }

        await _table.UpsertEntityAsync(ToEntity(index), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces the connection's row with the index and the document's intent marker, conditional on the row this
    /// holder read: no Key Vault request.
    /// </summary>
    public async Task SaveMarkerAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(index);
        if (!string.Equals(index.Name.Value, document.Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The index is for {index.Name}, the document for {document.Name}.", nameof(index));
        }

        if (string.IsNullOrEmpty(document.IntentMarker))
        {
            throw new ArgumentException($"Connection {document.Name}: an intent marker needs its id in the document.", nameof(document));
        }

        var entity = ToEntity(index);
        entity[MarkerProperty] = Marker.Of(document).ToJson();
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await WriteRowAsync(document, entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var deleted = await _vault.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _table.DeleteEntityAsync(Partition, name.Value, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No row: nothing to drop.
        }

        return deleted;
    }

    public Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default) => _vault.IsDeletedAsync(name, cancellationToken);

    /// <summary>Recovers the document, and gives it a row from its tags, due now: its schedule may have passed while it was deleted.</summary>
    public async Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await _vault.RecoverAsync(name, cancellationToken).ConfigureAwait(false);
        if (await _vault.GetAsync(name, cancellationToken).ConfigureAwait(false) is { StoredIndex: { } stored })
        {
            await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
            var index = stored with { NextActionAt = stored.State == ConnectionStatus.Paused ? null : _time.GetUtcNow() };
            await _table.UpsertEntityAsync(ToEntity(index), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TableEntity ToEntity(ConnectionIndex index)
    {
        // Every field, empty when unset, so that a merge leaves no stale value behind.
        var entity = new TableEntity(Partition, index.Name.Value)
        {
            [ConnectionIndex.NextActionAtTag] = "",
            [ConnectionIndex.CredentialExpiresAtTag] = "",
            [ConnectionIndex.RefreshExpiresAtTag] = "",
            [ConnectionIndex.RotateAtTag] = "",
            [ConnectionIndex.CheckAtTag] = "",
            [ConnectionIndex.WorkedAtTag] = "",
            [ConnectionIndex.WorkedByTag] = "",
            [ConnectionIndex.CheckedAtTag] = "",
        };
        foreach (var tag in index.ToTags())
        {
            entity[tag.Key] = tag.Value;
        }

        return entity;
    }

    private static ConnectionIndex? ToIndex(TableEntity entity)
    {
        if (!ConnectionName.TryParse(entity.RowKey, out var name))
        {
            return null;
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in entity)
        {
            if (property.Value is string text)
            {
                tags[property.Key] = text;
            }
        }

        return ConnectionIndex.FromTags(name, tags);
    }

    /// <summary>What an intent marker carries: its id, times, ids and the NetSuite token's name; never a secret.</summary>
    private sealed record Marker(string Id, long Generation, ConnectionStatus Status, DateTimeOffset? RefreshStartedAt, RotationProgress? Rotation)
    {
        public static Marker Of(ConnectionDocument document) =>
            new(document.IntentMarker!, document.Generation, document.Status, document.OAuth2?.RefreshStartedAt, document.Rotation);

        public static Marker FromJson(string json) =>
            System.Text.Json.JsonSerializer.Deserialize<Marker>(json, ConnectionDocument.JsonOptions) ?? throw new InvalidDataException("An index row's marker is empty.");

        public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, ConnectionDocument.JsonOptions);

        /// <summary>
        /// Puts the intent into a document that does not account for it. A document that already carries its own
        /// refresh intent or rotation keeps it: only what is missing is added.
        /// </summary>
        public void ApplyTo(ConnectionDocument document)
        {
            document.IntentMarker = Id;
            if (document.OAuth2 is { RefreshStartedAt: null } oauth && RefreshStartedAt is not null)
            {
                oauth.RefreshStartedAt = RefreshStartedAt;
            }

            if (document.Rotation is null && Rotation is not null)
            {
                document.Rotation = Rotation;
                document.Status = Status;
            }
        }
    }

    private Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        var ready = _tableReady;
        if (ready is null || ready.IsFaulted || ready.IsCanceled)
        {
            ready = _tableReady = _table.CreateIfNotExistsAsync(CancellationToken.None);
        }

        return ready.WaitAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 4210, Level = LogLevel.Warning, Message = "The connection index table {Table} was empty: rebuilt {Count} rows from the state vault's tags")]
    private static partial void LogRebuilt(ILogger logger, int count, string table);
}
