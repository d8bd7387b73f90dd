using KeyVault.TestServer;
using Microsoft.Extensions.Time.Testing;
using Testing.Shared;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

/// <summary>The state vault with its index in Table storage (architecture section 13), on the Key Vault test server and Azurite.</summary>
public sealed class TableIndexedConnectionStoreContractTests : ConnectionStoreContract
{
    private KeyVaultTestServer _vault = null!;

    public override async Task DisposeAsync() => await _vault.DisposeAsync();

    protected override async Task<IConnectionStore> CreateStoreAsync()
    {
        _vault = await KeyVaultTestServer.StartAsync();
        var azurite = await Azurite.GetAsync();
        var limiter = KeyVaultWritePipelines.CreateLimiter(250, TimeProvider.System);
        return new TableIndexedConnectionStore(
            new KeyVaultConnectionStore(_vault.CreateSecretClient(), KeyVaultWritePipelines.Create(limiter)),
            azurite.CreateTableServiceClient().GetTableClient(Azurite.UniqueName("index").Replace("-", "", StringComparison.Ordinal)));
    }

    protected override Task SeedOtherSecretAsync(string secretName, string value)
    {
        _vault.State.Seed(secretName, value);
        return Task.CompletedTask;
    }

    protected override Task<int> VersionCountAsync(ConnectionName name) => Task.FromResult(_vault.State.VersionCount(SecretNames.State(name)));
}

public sealed class TableIndexedConnectionStoreTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(Samples.Start);
    private KeyVaultTestServer _vault = null!;
    private KeyVaultConnectionStore _vaultStore = null!;
    private Azure.Data.Tables.TableClient _table = null!;
    private TableIndexedConnectionStore _store = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultTestServer.StartAsync();
        var azurite = await Azurite.GetAsync();
        _vaultStore = new KeyVaultConnectionStore(_vault.CreateSecretClient(), KeyVaultWritePipelines.Create(KeyVaultWritePipelines.CreateLimiter(250, TimeProvider.System)));
        _table = azurite.CreateTableServiceClient().GetTableClient(Azurite.UniqueName("index").Replace("-", "", StringComparison.Ordinal));
        _store = new TableIndexedConnectionStore(_vaultStore, _table, _time);
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task A_schedule_change_and_the_listing_make_no_Key_Vault_request()
    {
        var name = Samples.NewName();
        await Samples.SaveAsync(_store, name);
        var due = Samples.Start.AddMinutes(45);
        _vault.Counters.Reset();

        await _store.UpdateIndexAsync(Samples.Index(name, nextActionAt: due, state: ConnectionStatus.Failing));
        var listed = await ListAsync(_store);

        Assert.Equal(0, _vault.Counters.TotalRequests);
        var index = Assert.Single(listed);
        Assert.Equal(due, index.NextActionAt);
        Assert.Equal(ConnectionStatus.Failing, index.State);

        // A run reads the schedule it left with the document (one value read, nothing else from the vault).
        var read = await _store.GetAsync(name);
        Assert.Equal(due, read!.StoredIndex!.NextActionAt);
        Assert.Equal(1, _vault.Counters.Reads);
        Assert.Equal(0, _vault.Counters.PropertyUpdates + _vault.Counters.Writes + _vault.Counters.ListPages);
    }

    [Fact]
    public async Task An_empty_table_is_rebuilt_from_the_vault_tags()
    {
        var names = new[] { Samples.NewName(), Samples.NewName() };
        foreach (var name in names)
        {
            // Written before the index moved to the table: only the vault has it, in its tags.
            await _vaultStore.SaveAsync(Samples.Document(name), Samples.Index(name, nextActionAt: Samples.Start.AddDays(30)));
        }

        var paused = Samples.NewName();
        await _vaultStore.SaveAsync(Samples.Document(paused), Samples.Index(paused, state: ConnectionStatus.Paused) with { NextActionAt = null });

        var rebuilt = await ListAsync(_store);

        Assert.Equal(names.Append(paused).Select(n => n.Value).Order(), rebuilt.Select(i => i.Name.Value).Order());
        Assert.All(rebuilt.Where(i => !i.Name.Equals(paused)), i => Assert.Equal(Samples.Start.AddDays(30), i.NextActionAt));
        Assert.Equal(ConnectionStatus.Paused, Assert.Single(rebuilt, i => i.Name.Equals(paused)).State);
        Assert.Null(Assert.Single(rebuilt, i => i.Name.Equals(paused)).NextActionAt);

        // The rows are there now: the next listing reads the table only.
        _vault.Counters.Reset();
        Assert.Equal(3, (await ListAsync(_store)).Count);
        Assert.Equal(0, _vault.Counters.TotalRequests);
    }

    [Fact]
    public async Task A_row_older_than_the_document_yields_to_the_tags_written_with_the_document()
    {
        var name = Samples.NewName();
        await _store.SaveAsync(Samples.Document(name, generation: 1), Samples.Index(name, generation: 1, nextActionAt: Samples.Start.AddDays(1)));

        // The document's next write landed, its row's did not (a crash between the two).
        await _vaultStore.SaveAsync(Samples.Document(name, generation: 2), Samples.Index(name, generation: 2, nextActionAt: Samples.Start.AddMinutes(1)));

        var read = await _store.GetAsync(name);

        Assert.Equal(2, read!.StoredIndex!.Generation);
        Assert.Equal(Samples.Start.AddMinutes(1), read.StoredIndex.NextActionAt);
    }

    [Fact]
    public async Task The_table_holds_no_secret()
    {
        var name = Samples.NewName();
        var document = Samples.Document(name);
        await _store.SaveAsync(document, Samples.Index(name));
        await _store.UpdateIndexAsync(Samples.Index(name, nextActionAt: Samples.Start.AddHours(1)));

        await foreach (var entity in _table.QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            foreach (var value in entity.Select(p => p.Value).OfType<string>())
            {
                Assert.DoesNotContain(document.Tba!.User.Password, value, StringComparison.Ordinal);
                Assert.DoesNotContain(document.Tba.ConsumerSecret, value, StringComparison.Ordinal);
                Assert.DoesNotContain(document.Tba.ConsumerKey, value, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_holder_whose_row_is_stale_does_not_overwrite_the_row_another_holder_wrote()
    {
        // Holder A reads, its lease lapses, holder B reads and records an intent (a rotation naming the NetSuite token it
        // is about to ask for). A, still running, then writes its own marker and its schedule from its stale read.
        var name = Samples.NewName();
        await _store.SaveAsync(Samples.Document(name), Samples.Index(name, nextActionAt: Samples.Start.AddDays(1)));
        var a = (await _store.GetAsync(name))!;
        var b = (await _store.GetAsync(name))!;
        b.IntentMarker = "intent-of-b";
        b.Rotation = new RotationProgress { RotationId = "rotation-of-b", IssueSent = true, StartedAt = Samples.Start };
        await _store.SaveMarkerAsync(b, Samples.Index(name, nextActionAt: Samples.Start.AddMinutes(5)));

        a.IntentMarker = "intent-of-a";
        a.Rotation = new RotationProgress { RotationId = "rotation-of-a", StartedAt = Samples.Start };
        await Assert.ThrowsAsync<IndexRowConflictException>(() => _store.SaveMarkerAsync(a, Samples.Index(name, nextActionAt: Samples.Start.AddHours(3))));
        a.Rotation = null;
        a.IntentMarker = null;
        await Assert.ThrowsAsync<IndexRowConflictException>(() => _store.SaveAsync(a, Samples.Index(name, generation: 2, nextActionAt: Samples.Start.AddHours(2))));

        // B's row stands: its schedule and its intent, which names the token NetSuite may issue.
        var row = (await _table.GetEntityAsync<Azure.Data.Tables.TableEntity>("index", name.Value)).Value;
        Assert.Equal(Samples.Start.AddMinutes(5), ConnectionIndex.FromTags(name, row.Where(p => p.Value is string).ToDictionary(p => p.Key, p => (string)p.Value))!.NextActionAt);
        Assert.Contains("rotation-of-b", row.GetString("marker"), StringComparison.Ordinal);

        // B, whose read is current, goes on writing.
        await _store.SaveMarkerAsync(b, Samples.Index(name, nextActionAt: Samples.Start.AddMinutes(10)));
    }

    private static async Task<List<ConnectionIndex>> ListAsync(IConnectionStore store)
    {
        var all = new List<ConnectionIndex>();
        await foreach (var index in store.ListAsync())
        {
            all.Add(index);
        }

        return all;
    }
}
