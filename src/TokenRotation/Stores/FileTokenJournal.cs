using System.Text.Json;
using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>The journal as one JSON file per connection in a local folder (the CLI and the demo), owner-only on Unix.</summary>
internal sealed class FileTokenJournal : ITokenJournal
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
