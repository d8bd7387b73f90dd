using Azure.Data.Tables;
using Testing.Shared;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

/// <summary>The token journal behaves the same in Table storage and in a local folder.</summary>
public abstract class TokenJournalContract : IAsyncLifetime
{
    protected ITokenJournal Journal { get; private set; } = null!;

    public async Task InitializeAsync() => Journal = await CreateAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<ITokenJournal> CreateAsync();

    protected static TokenJournalEntry Entry(string connection, string sealedValue = "j1.c2VhbGVk") =>
        new(connection, new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero), sealedValue,
            new DateTimeOffset(2026, 12, 7, 10, 0, 1, TimeSpan.Zero), new DateTimeOffset(2026, 12, 9, 10, 0, 1, TimeSpan.Zero));

    [Fact]
    public async Task An_entry_written_is_read_back_whole_and_is_gone_after_delete()
    {
        var entry = Entry("journal-a");

        await Journal.WriteAsync(entry);

        Assert.Equal(entry, await Journal.GetAsync(ConnectionName.Parse("journal-a")));
        await Journal.DeleteAsync(ConnectionName.Parse("journal-a"));
        Assert.Null(await Journal.GetAsync(ConnectionName.Parse("journal-a")));
    }

    [Fact]
    public async Task A_new_entry_replaces_the_connections_old_one_and_leaves_others_alone()
    {
        await Journal.WriteAsync(Entry("journal-b", "j1.b2xk"));
        await Journal.WriteAsync(Entry("journal-c", "j1.b3RoZXI"));

        await Journal.WriteAsync(Entry("journal-b", "j1.bmV3"));

        Assert.Equal("j1.bmV3", (await Journal.GetAsync(ConnectionName.Parse("journal-b")))!.Sealed);
        Assert.Equal("j1.b3RoZXI", (await Journal.GetAsync(ConnectionName.Parse("journal-c")))!.Sealed);
    }

    [Fact]
    public async Task Reading_or_deleting_a_connection_without_an_entry_is_not_an_error()
    {
        Assert.Null(await Journal.GetAsync(ConnectionName.Parse("journal-none")));

        await Journal.DeleteAsync(ConnectionName.Parse("journal-none"));
    }
}

public sealed class TableTokenJournalTests : TokenJournalContract
{
    protected override async Task<ITokenJournal> CreateAsync()
    {
        var azurite = await Azurite.GetAsync();
        return new TableTokenJournal(azurite.CreateTableServiceClient().GetTableClient($"journal{Guid.NewGuid():N}"));
    }
}

public sealed class FileTokenJournalTests : TokenJournalContract
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "journal-" + Guid.NewGuid().ToString("N"));

    protected override Task<ITokenJournal> CreateAsync() => Task.FromResult<ITokenJournal>(new FileTokenJournal(_folder));

    [Fact]
    public async Task Entries_are_owner_only_from_the_start()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only.
        }

        await Journal.WriteAsync(Entry("journal-d"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "journal-d.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
    }
}
