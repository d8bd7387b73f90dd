using Azure;
using Azure.Data.Tables;

namespace TokenRotation.Coordination;

/// <summary>
/// Consent sessions in Azure Table storage. Row key: SHA-256 of the OAuth <c>state</c>, so the state itself (the
/// link between a browser and its callback) is never stored. A session is consumed by writing <c>Used</c> back
/// conditioned on the ETag that was read: of concurrent callbacks for one state exactly one wins. An expired
/// session is still returned, once, so the caller can tell the person their link expired. A session started from a
/// link is pointed to by a row in <see cref="LinkPartitionKey"/> keyed by the link's hash; the start that moves the
/// pointer (by ETag) deletes the session it pointed to, so each link holds one session however often it is opened.
/// </summary>
internal sealed class TableConsentSessionStore : IConsentSessionStore
{
    public const string PartitionKey = "consent";
    public const string LinkPartitionKey = "consent-link";
    private const int MaxAttempts = 4;

    // Every round of a pointer race has a winner, so this many starts of one link at the same moment all get through.
    private const int MaxLinkAttempts = 32;

    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private Task? _tableReady;

    public TableConsentSessionStore(TableClient table, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _time = timeProvider ?? TimeProvider.System;
    }

    public async Task CreateAsync(ConsentSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(session.State);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(PartitionKey, CoordinationKeys.Sha256Hex(session.State))
        {
            [nameof(ConsentSession.Connection)] = session.Connection,
            [nameof(ConsentSession.BrowserBinding)] = session.BrowserBinding,
            [nameof(ConsentSession.EncryptedVerifier)] = session.EncryptedVerifier,
            [nameof(ConsentSession.ExpiresAt)] = session.ExpiresAt,
            ["CreatedAt"] = _time.GetUtcNow(),
            ["Used"] = false,
        };
        if (session.Link is not null)
        {
            entity[nameof(ConsentSession.Link)] = session.Link;
        }

        try
        {
            await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new InvalidOperationException($"A consent session with the same state already exists (for {session.Connection}); states must be unique.", ex);
        }

        if (session.Link is { } link)
        {
            await ReplaceLinkSessionAsync(link, entity.RowKey, session, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ConsentSession?> GetAsync(string state, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(state))
        {
            return null;
        }

        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var read = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionKey, CoordinationKeys.Sha256Hex(state), cancellationToken: cancellationToken).ConfigureAwait(false);
        return read.HasValue && read.Value is { } entity && entity.GetBoolean("Used") != true ? ToSession(state, entity) : null;
    }

    public async Task<ConsentSession?> TryConsumeAsync(string state, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(state))
        {
            return null;
        }

        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var row = CoordinationKeys.Sha256Hex(state);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var read = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionKey, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!read.HasValue || read.Value is not { } entity || entity.GetBoolean("Used") == true)
            {
                return null;
            }

            var used = new TableEntity(PartitionKey, row) { ["Used"] = true, ["UsedAt"] = _time.GetUtcNow() };
            try
            {
                await _table.UpdateEntityAsync(used, entity.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Another callback consumed it between our read and write: read again to be sure.
                continue;
            }

            return ToSession(state, entity);
        }

        return null;
    }

    public async Task<int> PurgeExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"(PartitionKey eq {PartitionKey} or PartitionKey eq {LinkPartitionKey}) and ExpiresAt lt {expiredBefore}");
        var deleted = 0;
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                // Conditional on the ETag read: a callback consuming the row at this moment keeps it until next time.
                await _table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
            }
        }

        return deleted;
    }

    private async Task ReplaceLinkSessionAsync(string link, string row, ConsentSession session, CancellationToken cancellationToken)
    {
        var pointer = new TableEntity(LinkPartitionKey, link) { ["Session"] = row, [nameof(ConsentSession.ExpiresAt)] = session.ExpiresAt };
        for (var attempt = 0; attempt < MaxLinkAttempts; attempt++)
        {
            var read = await _table.GetEntityIfExistsAsync<TableEntity>(LinkPartitionKey, link, cancellationToken: cancellationToken).ConfigureAwait(false);
            var previous = read.HasValue && read.Value is { } current ? current : null;
            try
            {
                if (previous is null)
                {
                    await _table.AddEntityAsync(pointer, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _table.UpdateEntityAsync(pointer, previous.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // Another start of the same link moved the pointer first: read it again.
                continue;
            }

            if (previous?.GetString("Session") is { } replaced && replaced != row)
            {
                try
                {
                    await _table.DeleteEntityAsync(PartitionKey, replaced, ETag.All, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                }
            }

            return;
        }

        // Not pointed to, so no later start would delete it: remove it rather than leave a session outside the bound.
        await _table.DeleteEntityAsync(PartitionKey, row, ETag.All, cancellationToken).ConfigureAwait(false);
        throw new InvalidOperationException($"The consent link for {session.Connection} is being opened by too many browsers at once; try again.");
    }

    private static ConsentSession ToSession(string state, TableEntity entity) => new(
        state,
        entity.GetString(nameof(ConsentSession.Connection)) ?? throw Missing(nameof(ConsentSession.Connection)),
        entity.GetString(nameof(ConsentSession.BrowserBinding)) ?? throw Missing(nameof(ConsentSession.BrowserBinding)),
        entity.GetString(nameof(ConsentSession.EncryptedVerifier)) ?? throw Missing(nameof(ConsentSession.EncryptedVerifier)),
        entity.GetDateTimeOffset(nameof(ConsentSession.ExpiresAt)) ?? throw Missing(nameof(ConsentSession.ExpiresAt)),
        entity.GetString(nameof(ConsentSession.Link)));

    private static InvalidDataException Missing(string property) => new($"A consent session row has no {property}.");

    private Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        var ready = _tableReady;
        if (ready is null || ready.IsFaulted || ready.IsCanceled)
        {
            ready = _tableReady = _table.CreateIfNotExistsAsync(CancellationToken.None);
        }

        return ready.WaitAsync(cancellationToken);
    }
}
