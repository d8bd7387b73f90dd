using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// A single-use token the state vault refused, sealed (never plaintext) and kept in the app's storage until the next
/// run for the connection replays it into the state document (architecture section 4). <see cref="RefreshStartedAt"/> is the
/// intent marker of the refresh that produced it: the entry applies only while the state document still carries it.
/// </summary>
public sealed record TokenJournalEntry(string Connection, DateTimeOffset RefreshStartedAt, string Sealed, DateTimeOffset WrittenAt, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"journal entry for {Connection} (refresh started {RefreshStartedAt:O}, expires {ExpiresAt:O})";
}

/// <summary>At most one entry per connection; a new entry replaces the old one.</summary>
public interface ITokenJournal
{
    Task WriteAsync(TokenJournalEntry entry, CancellationToken cancellationToken = default);

    Task<TokenJournalEntry?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default);

    /// <summary>Removes the connection's entry; no error when there is none.</summary>
    Task DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default);
}

/// <summary>The journal in Azure Table storage: partition <c>journal</c>, row = connection name.</summary>
public sealed class TableTokenJournal(TableClient table) : ITokenJournal
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

/// <summary>The journal as one JSON file per connection in a local folder (the CLI and the demo), owner-only on Unix.</summary>
public sealed class FileTokenJournal : ITokenJournal
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _folder;

    public FileTokenJournal(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        _folder = Path.GetFullPath(folder);
    }

    public async Task WriteAsync(TokenJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = PathOf(ConnectionName.Parse(entry.Connection));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_folder);
        }
        else
        {
            Directory.CreateDirectory(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Written whole to a new file, then moved over the old one, so a reader never sees half an entry.
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, options))
        {
            await JsonSerializer.SerializeAsync(stream, entry, Json, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public async Task<TokenJournalEntry?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<TokenJournalEntry>(stream, Json, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"The token journal file {path} is empty.");
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The token journal file {path} is not a journal entry: {ex.Message}", ex);
        }
    }

    public Task DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            File.Delete(PathOf(name));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever journalled here.
        }

        return Task.CompletedTask;
    }

    private string PathOf(ConnectionName name) => Path.Combine(_folder, name.Value + ".json");
}
