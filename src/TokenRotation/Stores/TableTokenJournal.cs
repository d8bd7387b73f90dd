using Azure;
using Azure.Data.Tables;
using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>The journal in Azure Table storage: partition <c>journal</c>, row = connection name.</summary>
internal sealed class TableTokenJournal(TableClient table) : ITokenJournal
{
    private const string Partition = "journal";
    private Task? _tableReady;

    public async Task WriteAsync(TokenJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition, ConnectionName.Parse(entry.Connection).Value)
        {
            [nameof(TokenJournalEntry.RefreshStartedAt)] = entry.RefreshStartedAt,
            [nameof(TokenJournalEntry.Sealed)] = entry.Sealed,
            [nameof(TokenJournalEntry.WrittenAt)] = entry.WrittenAt,
            [nameof(TokenJournalEntry.ExpiresAt)] = entry.ExpiresAt,
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TokenJournalEntry?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, name.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!found.HasValue || found.Value is not { } entity)
        {
            return null;
        }

        return new TokenJournalEntry(
            name.Value,
            entity.GetDateTimeOffset(nameof(TokenJournalEntry.RefreshStartedAt)) ?? throw Corrupt(name),
            entity.GetString(nameof(TokenJournalEntry.Sealed)) ?? throw Corrupt(name),
            entity.GetDateTimeOffset(nameof(TokenJournalEntry.WrittenAt)) ?? throw Corrupt(name),
            entity.GetDateTimeOffset(nameof(TokenJournalEntry.ExpiresAt)) ?? throw Corrupt(name));
    }

    public async Task DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(Partition, name.Value, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }

    private static InvalidDataException Corrupt(ConnectionName name) =>
        new($"The token journal entry of {name} in table {Partition} lacks a field; delete the row after checking the connection.");

    private Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        var ready = _tableReady;
        if (ready is null || ready.IsFaulted || ready.IsCanceled)
        {
            ready = _tableReady = table.CreateIfNotExistsAsync(CancellationToken.None);
        }

        return ready.WaitAsync(cancellationToken);
    }
}
