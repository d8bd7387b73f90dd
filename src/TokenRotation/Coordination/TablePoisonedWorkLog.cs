using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace TokenRotation.Coordination;

/// <summary>Poisoned work in Azure Table storage: partition <c>failure</c> (latest failure per message) and <c>poisoned</c>.</summary>
public sealed class TablePoisonedWorkLog : IPoisonedWorkLog
{
    public const string DefaultTableName = "nstokenpoison";
    public const int MaxReasonLength = 2000;
    private const string FailurePartition = "failure";
    private const string PoisonedPartition = "poisoned";

    private readonly TableClient _table;
    private Task? _tableReady;

    public TablePoisonedWorkLog(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
    }

    public async Task RecordFailureAsync(string messageKey, string reason, DateTimeOffset failedAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageKey);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await _table.UpsertEntityAsync(
            new TableEntity(FailurePartition, messageKey) { ["Reason"] = Truncate(reason), ["FailedAt"] = failedAt },
            TableUpdateMode.Replace,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> GetLastFailureAsync(string messageKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageKey);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(FailurePartition, messageKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } entity ? entity.GetString("Reason") : null;
    }

    public async Task AddAsync(PoisonedWork work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);

        // Newest first in the table's own order: rows sort by key, so the key counts down with time.
        var row = (DateTimeOffset.MaxValue.UtcTicks - work.PoisonedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + work.MessageKey[..Math.Min(16, work.MessageKey.Length)];
        await _table.UpsertEntityAsync(
            new TableEntity(PoisonedPartition, row)
            {
                ["MessageKey"] = work.MessageKey,
                ["Account"] = work.Account,
                ["Connections"] = JsonSerializer.Serialize(work.Connections),
                ["EnqueuedAt"] = work.EnqueuedAt,
                ["PoisonedAt"] = work.PoisonedAt,
                ["Reason"] = Truncate(work.Reason),
            },
            TableUpdateMode.Replace,
            cancellationToken).ConfigureAwait(false);
        try
        {
            await _table.DeleteEntityAsync(FailurePartition, work.MessageKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No failure was recorded (for example the message could not even be read).
        }
    }

    public async Task<IReadOnlyList<PoisonedWork>> ListAsync(int max = 50, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<PoisonedWork>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == PoisonedPartition, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            string[] connections;
            try
            {
                connections = JsonSerializer.Deserialize<string[]>(entity.GetString("Connections") ?? "[]") ?? [];
            }
            catch (JsonException)
            {
                connections = [];
            }

            result.Add(new PoisonedWork(
                entity.GetString("MessageKey") ?? "",
                entity.GetString("Account"),
                connections,
                entity.GetDateTimeOffset("EnqueuedAt"),
                entity.GetDateTimeOffset("PoisonedAt") ?? DateTimeOffset.MinValue,
                entity.GetString("Reason") ?? ""));
            if (result.Count >= max)
            {
                break;
            }
        }

        return result;
    }

    private static string Truncate(string reason) =>
        reason.Length <= MaxReasonLength ? reason : string.Concat(reason.AsSpan(0, MaxReasonLength), "...");

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
