using KeyVault.TestServer;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

/// <summary>The behaviour every <see cref="IConnectionStore"/> must have, run against each implementation.</summary>
public abstract class ConnectionStoreContract : IAsyncLifetime
{
    protected IConnectionStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IConnectionStore> CreateStoreAsync();

    /// <summary>Puts a secret that is not a connection (a certificate's or the service's own) into the same vault.</summary>
    protected abstract Task SeedOtherSecretAsync(string secretName, string value);

    protected abstract Task<int> VersionCountAsync(ConnectionName name);

    [Fact]
    public async Task Saved_document_reads_back_with_its_fields()
    {
        var name = Samples.NewName();
        var document = Samples.Document(name, generation: 7);

        await Store.SaveAsync(document, Samples.Index(name, generation: 7));
        var read = await Store.GetAsync(name);

        Assert.NotNull(read);
        Assert.Equal(name.Value, read.Name);
        Assert.Equal(7, read.Generation);
        Assert.Equal(document.Tba!.User.Password, read.Tba!.User.Password);
        Assert.Equal(document.Tba.ConsumerSecret, read.Tba.ConsumerSecret);
        Assert.Equal(document.ToJson(), read.ToJson());
    }

    [Fact]
    public async Task Unknown_connection_reads_as_null()
    {
        Assert.Null(await Store.GetAsync(Samples.NewName()));
    }

    [Fact]
    public async Task Each_save_is_a_new_version_and_get_returns_the_latest()
    {
        var name = Samples.NewName();

        await Samples.SaveAsync(Store, name, generation: 1);
        await Samples.SaveAsync(Store, name, generation: 2);

        Assert.Equal(2, await VersionCountAsync(name));
        Assert.Equal(2, (await Store.GetAsync(name))!.Generation);
    }

    [Fact]
    public async Task List_returns_the_index_of_every_connection_and_skips_other_secrets()
    {
        var names = Enumerable.Range(0, 3).Select(_ => Samples.NewName()).ToArray();
        foreach (var name in names)
        {
            await Store.SaveAsync(Samples.Document(name), Samples.Index(name, nextActionAt: Samples.Start.AddHours(1), state: ConnectionStatus.Rotating));
        }

        await SeedOtherSecretAsync("key-consent-signing", Samples.Canary("key"));
        await SeedOtherSecretAsync("cert-" + names[0].Value, Samples.Canary("cert"));

        var listed = new List<ConnectionIndex>();
        await foreach (var index in Store.ListAsync())
        {
            listed.Add(index);
        }

        Assert.Equal(names.Select(n => n.Value).Order(), listed.Select(i => i.Name.Value).Order());
        Assert.All(listed, i =>
        {
            Assert.Equal(ConnectionKind.Tba, i.Kind);
            Assert.Equal("1234567_SB1", i.Account);
            Assert.Equal(ConnectionStatus.Rotating, i.State);
            Assert.Equal(Samples.Start.AddHours(1), i.NextActionAt);
            Assert.Equal(Samples.Start.AddDays(120), i.CredentialExpiresAt);
        });
    }

    [Fact]
    public async Task Index_update_replaces_the_tags_and_adds_no_version()
    {
        var name = Samples.NewName();
        await Samples.SaveAsync(Store, name);
        var due = Samples.Start.AddMinutes(5);

        await Store.UpdateIndexAsync(Samples.Index(name, nextActionAt: due, state: ConnectionStatus.Failing));

        Assert.Equal(1, await VersionCountAsync(name));
        var listed = await ListOneAsync(name);
        Assert.Equal(due, listed.NextActionAt);
        Assert.Equal(ConnectionStatus.Failing, listed.State);
        Assert.True(listed.IsDue(due));
        Assert.Equal(1, (await Store.GetAsync(name))!.Generation);
    }

    [Fact]
    public async Task Index_update_of_an_unknown_connection_fails_clearly()
    {
        var name = Samples.NewName();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpdateIndexAsync(Samples.Index(name)));

        Assert.Contains(name.Value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_refuses_an_index_of_another_connection()
    {
        var name = Samples.NewName();

        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(Samples.Document(name), Samples.Index(Samples.NewName())));
        Assert.Null(await Store.GetAsync(name));
    }

    [Fact]
    public async Task Deleted_connection_is_gone_blocks_its_name_and_recovers_with_its_versions()
    {
        var name = Samples.NewName();
        await Samples.SaveAsync(Store, name, generation: 1);
        await Samples.SaveAsync(Store, name, generation: 2);

        Assert.True(await Store.DeleteAsync(name));

        Assert.Null(await Store.GetAsync(name));
        Assert.True(await Store.IsDeletedAsync(name));
        Assert.DoesNotContain(await ListAllAsync(), i => i.Name.Equals(name));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Samples.SaveAsync(Store, name, generation: 3));

        await Store.RecoverAsync(name);

        Assert.False(await Store.IsDeletedAsync(name));
        Assert.Equal(2, (await Store.GetAsync(name))!.Generation);
        Assert.Equal(2, await VersionCountAsync(name));
    }

    [Fact]
    public async Task Deleting_an_unknown_connection_returns_false()
    {
        var name = Samples.NewName();

        Assert.False(await Store.DeleteAsync(name));
        Assert.False(await Store.IsDeletedAsync(name));
    }

    private async Task<ConnectionIndex> ListOneAsync(ConnectionName name) => Assert.Single(await ListAllAsync(), i => i.Name.Equals(name));

    private async Task<List<ConnectionIndex>> ListAllAsync()
    {
        var all = new List<ConnectionIndex>();
        await foreach (var index in Store.ListAsync())
        {
            all.Add(index);
        }

        return all;
    }
}

public sealed class KeyVaultConnectionStoreContractTests : ConnectionStoreContract
{
    private KeyVaultTestServer _vault = null!;

    public override async Task DisposeAsync() => await _vault.DisposeAsync();

    protected override async Task<IConnectionStore> CreateStoreAsync()
    {
        _vault = await KeyVaultTestServer.StartAsync();
        var limiter = KeyVaultWritePipelines.CreateLimiter(250, TimeProvider.System);
        return new KeyVaultConnectionStore(_vault.CreateSecretClient(), KeyVaultWritePipelines.Create(limiter));
    }

    protected override Task SeedOtherSecretAsync(string secretName, string value)
    {
        _vault.State.Seed(secretName, value);
        return Task.CompletedTask;
    }

    protected override Task<int> VersionCountAsync(ConnectionName name) => Task.FromResult(_vault.State.VersionCount(SecretNames.State(name)));
}

public sealed class FileConnectionStoreContractTests : ConnectionStoreContract, IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("nstoken-state-");
    private FileConnectionStore _store = null!;

    public void Dispose() => _folder.Delete(recursive: true);

    protected override Task<IConnectionStore> CreateStoreAsync()
    {
        _store = new FileConnectionStore(_folder.FullName);
        return Task.FromResult<IConnectionStore>(_store);
    }

    protected override Task SeedOtherSecretAsync(string secretName, string value) =>
        _store.Folder.SetAsync(secretName, value, "text/plain", new Dictionary<string, string>(), null);

    protected override Task<int> VersionCountAsync(ConnectionName name) => _store.GetVersionCountAsync(name);
}
