using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace TokenRotation.Coordination;

/// <summary>
/// A work message the queue gave up on (the Functions host moved it to the poison queue after its last retry), with
/// the reason its last attempt failed. The status page and <c>GET /api/connections</c> show these.
/// </summary>
public sealed record PoisonedWork(
    string MessageKey,
    string? Account,
    IReadOnlyList<string> Connections,
    DateTimeOffset? EnqueuedAt,
    DateTimeOffset PoisonedAt,
    string Reason);

/// <summary>
/// Where poisoned work is kept. A queue message keeps its text but not its id when it is moved to the poison queue,
/// so failures and poisoned messages are matched by <see cref="MessageKey"/>, a hash of the message text.
/// </summary>
public interface IPoisonedWorkLog
{
    /// <summary>Remembers why the latest attempt at a work message failed (the poison handler reports it).</summary>
    Task RecordFailureAsync(string messageKey, string reason, DateTimeOffset failedAt, CancellationToken cancellationToken = default);

    /// <summary>The reason of the latest failure of a message; null when none was recorded.</summary>
    Task<string?> GetLastFailureAsync(string messageKey, CancellationToken cancellationToken = default);

    /// <summary>Keeps a poisoned message (and forgets its failure record).</summary>
    Task AddAsync(PoisonedWork work, CancellationToken cancellationToken = default);

    /// <summary>Poisoned messages, newest first.</summary>
    Task<IReadOnlyList<PoisonedWork>> ListAsync(int max = 50, CancellationToken cancellationToken = default);
}

/// <summary>Reading work messages as the queue trigger receives them.</summary>
public static class WorkMessages
{
    /// <summary>The key of a work message: lowercase hex SHA-256 of its text (as the trigger received it).</summary>
    public static string Key(string messageText)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        return CoordinationKeys.Sha256Hex(messageText);
    }

    /// <summary>
    /// Reads a work item from a message text: the JSON that the trigger hands over after decoding base64 (host.json
    /// <c>messageEncoding: base64</c>), or the raw base64 text <see cref="StorageWorkQueue.Encode"/> wrote (encoding <c>none</c>).
    /// </summary>
    public static bool TryParse(string? messageText, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AccountWorkItem? item)
    {
        item = null;
        if (string.IsNullOrWhiteSpace(messageText))
        {
            return false;
        }

        try
        {
            var trimmed = messageText.Trim();
            item = trimmed.StartsWith('{')
                ? JsonSerializer.Deserialize<AccountWorkItem>(trimmed, StorageWorkQueue.Json)
                : StorageWorkQueue.Decode(trimmed);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidDataException or NotSupportedException)
        {
            return false;
        }

        return item is { Account.Length: > 0, Connections: not null };
    }
}

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

/// <summary>Poisoned work in this process (tests, the CLI demo).</summary>
public sealed class InMemoryPoisonedWorkLog : IPoisonedWorkLog
{
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly List<PoisonedWork> _poisoned = [];

    public Task RecordFailureAsync(string messageKey, string reason, DateTimeOffset failedAt, CancellationToken cancellationToken = default)
    {
        lock (_poisoned)
        {
            _failures[messageKey] = reason;
        }

        return Task.CompletedTask;
    }

    public Task<string?> GetLastFailureAsync(string messageKey, CancellationToken cancellationToken = default)
    {
        lock (_poisoned)
        {
            return Task.FromResult(_failures.TryGetValue(messageKey, out var reason) ? reason : null);
        }
    }

    public Task AddAsync(PoisonedWork work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_poisoned)
        {
            _poisoned.Add(work);
            _failures.Remove(work.MessageKey);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PoisonedWork>> ListAsync(int max = 50, CancellationToken cancellationToken = default)
    {
        lock (_poisoned)
        {
            return Task.FromResult<IReadOnlyList<PoisonedWork>>(_poisoned.OrderByDescending(p => p.PoisonedAt).Take(max).ToArray());
        }
    }
}
