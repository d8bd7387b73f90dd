using Azure;
using Azure.Data.Tables;

namespace TokenRotation.Coordination;

/// <summary>
/// Consent sessions in Azure Table storage. Row key: SHA-256 of the OAuth <c>state</c>, so the state itself (the
/// link between a browser and its callback) is never stored. A session is consumed by writing <c>Used</c> back
/// conditioned on the ETag that was read: of concurrent callbacks for one state exactly one wins. An expired
/// session is still returned, once, so the caller can tell the person their link expired.
/// </summary>
public sealed class TableConsentSessionStore : IConsentSessionStore
{
    public const string PartitionKey = "consent";
    private const int MaxAttempts = 4;

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

        try
        {
            await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new InvalidOperationException($"A consent session with the same state already exists (for {session.Connection}); states must be unique.", ex);
        }
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

            return new ConsentSession(
                state,
                entity.GetString(nameof(ConsentSession.Connection)) ?? throw Missing(nameof(ConsentSession.Connection)),
                entity.GetString(nameof(ConsentSession.BrowserBinding)) ?? throw Missing(nameof(ConsentSession.BrowserBinding)),
                entity.GetString(nameof(ConsentSession.EncryptedVerifier)) ?? throw Missing(nameof(ConsentSession.EncryptedVerifier)),
                entity.GetDateTimeOffset(nameof(ConsentSession.ExpiresAt)) ?? throw Missing(nameof(ConsentSession.ExpiresAt)));
        }

        return null;
    }

    public async Task<int> PurgeExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey} and ExpiresAt lt {expiredBefore}");
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

/// <summary>Consent sessions in this process (CLI demo, tests); same single-use rule as the table store.</summary>
public sealed class InMemoryConsentSessionStore : IConsentSessionStore
{
    private readonly Dictionary<string, (ConsentSession Session, bool Used)> _sessions = new(StringComparer.Ordinal);

    public Task CreateAsync(ConsentSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(session.State);
        lock (_sessions)
        {
            if (!_sessions.TryAdd(CoordinationKeys.Sha256Hex(session.State), (session, false)))
            {
                throw new InvalidOperationException($"A consent session with the same state already exists (for {session.Connection}); states must be unique.");
            }
        }

        return Task.CompletedTask;
    }

    public Task<ConsentSession?> TryConsumeAsync(string state, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(state))
        {
            return Task.FromResult<ConsentSession?>(null);
        }

        var key = CoordinationKeys.Sha256Hex(state);
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(key, out var entry) || entry.Used)
            {
                return Task.FromResult<ConsentSession?>(null);
            }

            _sessions[key] = (entry.Session, true);
            return Task.FromResult<ConsentSession?>(entry.Session);
        }
    }

    public Task<int> PurgeExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken = default)
    {
        lock (_sessions)
        {
            var expired = _sessions.Where(e => e.Value.Session.ExpiresAt < expiredBefore).Select(e => e.Key).ToList();
            expired.ForEach(k => _sessions.Remove(k));
            return Task.FromResult(expired.Count);
        }
    }
}
