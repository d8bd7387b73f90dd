using KeyVault.TestServer;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

/// <summary>The behaviour every <see cref="IConsumerPublisher"/> must have, run against each implementation.</summary>
public abstract class ConsumerPublisherContract : IAsyncLifetime
{
    protected IConsumerPublisher Publisher { get; private set; } = null!;

    public async Task InitializeAsync() => Publisher = await CreatePublisherAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IConsumerPublisher> CreatePublisherAsync();

    protected abstract Task<int> VersionCountAsync(ConnectionName name);

    /// <summary>The content type stored with the latest version, as the store keeps it.</summary>
    protected abstract Task<string?> ContentTypeAsync(ConnectionName name);

    [Fact]
    public async Task Access_token_is_published_with_its_expiry_and_tags()
    {
        var name = Samples.NewName();
        var token = Samples.Canary("at");
        var expires = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

        await Publisher.PublishAccessTokenAsync(name, "1234567_SB1", token, expires);
        var read = await Publisher.GetAsync(name);

        Assert.NotNull(read);
        Assert.Equal(token, read.Value);
        Assert.Equal(expires, read.ExpiresOn);
        Assert.Equal(ConsumerProjections.AccessTokenKind, read.Tags[ConsumerProjections.KindTag]);
        Assert.Equal("1234567_SB1", read.Tags[ConsumerProjections.AccountTag]);
        Assert.Equal(ConsumerProjections.AccessTokenContentType, await ContentTypeAsync(name));
    }

    [Fact]
    public async Task Tba_set_is_published_as_one_json_secret()
    {
        var name = Samples.NewName();
        var set = new TbaProjection("1234567_SB1", Samples.Canary("ck"), Samples.Canary("cs"), Samples.Canary("tid"), Samples.Canary("ts"));

        await Publisher.PublishTbaAsync(name, set);
        var read = await Publisher.GetAsync(name);

        Assert.NotNull(read);
        Assert.Null(read.ExpiresOn);
        Assert.Equal(set, ConsumerProjections.ParseTba(read.Value));
        Assert.Contains("\"tokenSecret\":", read.Value, StringComparison.Ordinal);
        Assert.Equal(ConsumerProjections.TbaKind, read.Tags[ConsumerProjections.KindTag]);
        Assert.Equal("application/json", await ContentTypeAsync(name));
    }

    [Fact]
    public async Task Both_projections_carry_schema_version_1_and_the_tba_json_keeps_its_old_fields()
    {
        var token = Samples.NewName();
        var tba = Samples.NewName();
        var set = new TbaProjection("1234567_SB1", Samples.Canary("ck"), Samples.Canary("cs"), Samples.Canary("tid"), Samples.Canary("ts"));

        await Publisher.PublishAccessTokenAsync(token, "1234567_SB1", Samples.Canary("at"), Samples.Start.AddHours(1));
        await Publisher.PublishTbaAsync(tba, set);
        var readToken = (await Publisher.GetAsync(token))!;
        var readTba = (await Publisher.GetAsync(tba))!;

        Assert.Equal("1", readToken.Tags[ConsumerProjections.SchemaVersionTag]);
        Assert.Equal("1", readTba.Tags[ConsumerProjections.SchemaVersionTag]);
        using var json = System.Text.Json.JsonDocument.Parse(readTba.Value);
        Assert.Equal(1, json.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(set, ConsumerProjections.ParseTba(readTba.Value));

        // A reader of the first, unversioned shape still reads what is published now.
        Assert.Equal(set, System.Text.Json.JsonSerializer.Deserialize<TbaProjection>(readTba.Value, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
    }

    [Fact]
    public async Task Each_publish_is_a_new_version_and_readers_see_the_latest()
    {
        var name = Samples.NewName();
        var second = Samples.Canary("at2");

        await Publisher.PublishAccessTokenAsync(name, "1234567", Samples.Canary("at1"), Samples.Start.AddHours(1));
        await Publisher.PublishAccessTokenAsync(name, "1234567", second, Samples.Start.AddHours(2));

        Assert.Equal(2, await VersionCountAsync(name));
        Assert.Equal(second, (await Publisher.GetAsync(name))!.Value);
    }

    [Fact]
    public async Task Deleted_projection_reads_as_null_and_deleting_twice_returns_false()
    {
        var name = Samples.NewName();
        await Publisher.PublishAccessTokenAsync(name, "1234567", Samples.Canary("at"), Samples.Start.AddHours(1));

        Assert.True(await Publisher.DeleteAsync(name));
        Assert.Null(await Publisher.GetAsync(name));
        Assert.False(await Publisher.DeleteAsync(name));
        Assert.Null(await Publisher.GetAsync(Samples.NewName()));
    }

    [Fact]
    public async Task Publishing_to_a_deleted_name_recovers_it_and_writes_a_new_version()
    {
        var name = Samples.NewName();
        await Publisher.PublishAccessTokenAsync(name, "1234567", Samples.Canary("old"), Samples.Start.AddHours(1));
        await Publisher.DeleteAsync(name);
        var fresh = Samples.Canary("new");

        await Publisher.PublishAccessTokenAsync(name, "1234567", fresh, Samples.Start.AddHours(2));

        Assert.Equal(fresh, (await Publisher.GetAsync(name))!.Value);
        Assert.Equal(2, await VersionCountAsync(name));
    }
}

public sealed class KeyVaultConsumerPublisherContractTests : ConsumerPublisherContract
{
    private KeyVaultTestServer _vault = null!;

    public override async Task DisposeAsync() => await _vault.DisposeAsync();

    protected override async Task<IConsumerPublisher> CreatePublisherAsync()
    {
        _vault = await KeyVaultTestServer.StartAsync();
        var limiter = KeyVaultWritePipelines.CreateLimiter(250, TimeProvider.System);
        return new KeyVaultConsumerPublisher(_vault.CreateSecretClient(), KeyVaultWritePipelines.Create(limiter));
    }

    protected override Task<int> VersionCountAsync(ConnectionName name) => Task.FromResult(_vault.State.VersionCount(SecretNames.Consumer(name)));

    protected override Task<string?> ContentTypeAsync(ConnectionName name) => Task.FromResult(_vault.State.GetSecret(SecretNames.Consumer(name))?.ContentType);
}

public sealed class FileConsumerPublisherContractTests : ConsumerPublisherContract, IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("nstoken-consumer-");
    private FileConsumerPublisher _publisher = null!;

    public void Dispose() => _folder.Delete(recursive: true);

    protected override Task<IConsumerPublisher> CreatePublisherAsync()
    {
        _publisher = new FileConsumerPublisher(_folder.FullName);
        return Task.FromResult<IConsumerPublisher>(_publisher);
    }

    protected override Task<int> VersionCountAsync(ConnectionName name) => _publisher.Folder.GetVersionCountAsync(SecretNames.Consumer(name));

    protected override async Task<string?> ContentTypeAsync(ConnectionName name) => (await _publisher.Folder.GetAsync(SecretNames.Consumer(name)))?.ContentType;
}
