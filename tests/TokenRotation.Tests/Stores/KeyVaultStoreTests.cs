using System.Diagnostics.Metrics;
using KeyVault.TestServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Testing.Shared;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

/// <summary>What only the Key Vault stores must do: read as little as possible, write as little as possible, within budget.</summary>
public sealed class KeyVaultStoreTests
{
    [Fact]
    public async Task Listing_reads_property_pages_only_and_no_secret_values()
    {
        await using var vault = await KeyVaultTestServer.StartAsync();
        const int connections = 60;
        const int otherSecrets = 3;
        for (var i = 0; i < connections; i++)
        {
            var name = Samples.NewName();
            vault.State.Seed(SecretNames.State(name), Samples.Document(name).ToJson(), "application/json", Samples.Index(name).ToTags().AsReadOnly());
        }

        for (var i = 0; i < otherSecrets; i++)
        {
            vault.State.Seed($"key-service-{i}", Samples.Canary("key"));
        }

        var store = NewStore(vault, TimeProvider.System);
        vault.Counters.Reset();

        var listed = 0;
        await foreach (var index in store.ListAsync())
        {
            listed++;
        }

        Assert.Equal(connections, listed);
        Assert.Equal((connections + otherSecrets + 24) / 25, vault.Counters.ListPages);
        Assert.Equal(0, vault.Counters.Reads);
        Assert.Equal(0, vault.Counters.Writes);
    }

    [Fact]
    public async Task Index_update_is_a_property_update_that_creates_no_version()
    {
        await using var vault = await KeyVaultTestServer.StartAsync();
        var store = NewStore(vault, TimeProvider.System);
        var name = Samples.NewName();
        await Samples.SaveAsync(store, name);
        var due = Samples.Start.AddMinutes(3);
        vault.Counters.Reset();

        await store.UpdateIndexAsync(Samples.Index(name, nextActionAt: due));

        Assert.Equal(0, vault.Counters.Writes);
        Assert.Equal(0, vault.Counters.Reads);
        Assert.Equal(1, vault.Counters.PropertyUpdates);
        Assert.Equal(1, vault.State.VersionCount(SecretNames.State(name)));
        var latest = vault.State.GetSecret(SecretNames.State(name))!;
        Assert.Equal("2026-03-01T08:03:00Z", latest.Tags["nextActionAt"]);
        Assert.Equal("application/json", latest.ContentType);
    }

    [Theory]
    [InlineData(405)]
    [InlineData(400)]
    public async Task A_vault_that_refuses_the_versionless_index_update_gets_it_on_the_latest_version_by_id(int refusal)
    {
        await using var vault = await KeyVaultTestServer.StartAsync();
        var store = NewStore(vault, TimeProvider.System);
        var name = Samples.NewName();
        await Samples.SaveAsync(store, name, generation: 1);
        await Samples.SaveAsync(store, name, generation: 2);
        var refused = vault.Faults.RefuseVersionlessUpdates(refusal);
        var due = Samples.Start.AddMinutes(3);
        vault.Counters.Reset();

        await store.UpdateIndexAsync(Samples.Index(name, generation: 2, nextActionAt: due));

        Assert.Equal(1, refused.Triggered);
        Assert.Equal(1, vault.Counters.PropertyUpdates);
        Assert.Equal(0, vault.Counters.Writes);
        Assert.Equal(2, vault.State.VersionCount(SecretNames.State(name)));
        var latest = vault.State.GetSecret(SecretNames.State(name))!;
        Assert.Equal("2026-03-01T08:03:00Z", latest.Tags["nextActionAt"]);
        Assert.Equal("application/json", latest.ContentType);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(409)]
    public async Task An_index_update_the_vault_refuses_is_a_clear_error_naming_the_secret_and_the_status(int status)
    {
        await using var vault = await KeyVaultTestServer.StartAsync();
        var store = NewStore(vault, TimeProvider.System);
        var name = Samples.NewName();
        await Samples.SaveAsync(store, name);
        vault.Faults.FailOperation(KeyVaultOperation.UpdateSecretProperties, count: int.MaxValue, statusCode: status);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpdateIndexAsync(Samples.Index(name, nextActionAt: Samples.Start)));

        Assert.Contains(SecretNames.State(name), error.Message, StringComparison.Ordinal);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.IsType<Azure.RequestFailedException>(error.InnerException);
    }

    [Fact]
    public async Task A_versionless_refusal_followed_by_a_failing_update_by_id_is_a_clear_error_too()
    {
        await using var vault = await KeyVaultTestServer.StartAsync();
        var store = NewStore(vault, TimeProvider.System);
        var name = Samples.NewName();
        await Samples.SaveAsync(store, name);
        vault.Faults.RefuseVersionlessUpdates(405);
        vault.Faults.FailOperation(KeyVaultOperation.UpdateSecretProperties, count: int.MaxValue, statusCode: 403);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpdateIndexAsync(Samples.Index(name, nextActionAt: Samples.Start)));

        Assert.Contains(SecretNames.State(name), error.Message, StringComparison.Ordinal);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_over_the_configured_budget_wait_for_the_window_instead_of_failing()
    {
        var clock = new FakeTimeProvider(Samples.Start);
        await using var vault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = clock, WriteBudget = 3 });
        var azurite = await Azurite.GetAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenRotation:PublicBaseUrl"] = "https://nstoken.example.test",
            ["KeyVault:StateVaultUri"] = vault.VaultUri.ToString(),
            ["KeyVault:ConsumerVaultUri"] = vault.VaultUri.ToString(),
            ["KeyVault:WritesPer10Seconds"] = "3",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Coordination:IndexTable"] = Azurite.UniqueName("index").Replace("-", "", StringComparison.Ordinal),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(clock);
        services.AddTokenRotationStores(configuration);
        services.AddKeyedSingleton(StoresServiceCollectionExtensions.StateVaultKey, vault.CreateSecretClient());
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IConnectionStore>();
        var names = Enumerable.Range(0, 7).Select(_ => Samples.NewName()).ToArray();

        var saves = names.Select(n => Samples.SaveAsync(store, n)).ToArray();

        await WaitUntilAsync(() => saves.Count(s => s.IsCompleted) == 3);
        await Task.Delay(300);
        Assert.Equal(3, vault.Counters.Writes);
        Assert.Equal(3, saves.Count(s => s.IsCompleted));

        clock.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => saves.Count(s => s.IsCompleted) == 6);
        await Task.Delay(300);
        Assert.Equal(6, vault.Counters.Writes);

        clock.Advance(TimeSpan.FromSeconds(10));
        await Task.WhenAll(saves).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(7, vault.Counters.Writes);
        Assert.Equal(0, vault.Counters.ThrottledWrites);
        Assert.All(saves, s => Assert.True(s.IsCompletedSuccessfully));
        Assert.All(names, n => Assert.Equal(1, vault.State.VersionCount(SecretNames.State(n))));
    }

    [Fact]
    public async Task Reads_and_writes_are_counted_per_vault_in_the_TokenRotation_meter()
    {
        await using var stateVault = await KeyVaultTestServer.StartAsync();
        await using var consumerVault = await KeyVaultTestServer.StartAsync();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new KeyVaultMetrics(factory);
        using var recorder = new MeasurementRecorder(factory);
        var pipeline = KeyVaultWritePipelines.Create(KeyVaultWritePipelines.CreateLimiter(100, TimeProvider.System));
        var store = new KeyVaultConnectionStore(stateVault.CreateSecretClient(), pipeline, metrics);
        var publisher = new KeyVaultConsumerPublisher(consumerVault.CreateSecretClient(), pipeline, metrics);
        var name = Samples.NewName();

        await Samples.SaveAsync(store, name, generation: 1);
        await Samples.SaveAsync(store, name, generation: 2);
        await store.GetAsync(name);
        await store.UpdateIndexAsync(Samples.Index(name, generation: 2));
        await publisher.PublishAccessTokenAsync(name, "1234567", Samples.Canary("at"), Samples.Start.AddHours(1));

        Assert.Equal(2, recorder.Sum("keyvault.secret.writes", "state"));
        Assert.Equal(1, recorder.Sum("keyvault.secret.writes", "consumer"));
        Assert.Equal(1, recorder.Sum("keyvault.secret.reads", "state"));
        Assert.Equal(1, recorder.Sum("keyvault.secret.property_updates", "state"));
        Assert.Equal(stateVault.Counters.Writes, recorder.Sum("keyvault.secret.writes", "state"));
    }

    private static KeyVaultConnectionStore NewStore(KeyVaultTestServer vault, TimeProvider clock, int writesPer10Seconds = 250) =>
        new(vault.CreateSecretClient(), KeyVaultWritePipelines.Create(KeyVaultWritePipelines.CreateLimiter(writesPer10Seconds, clock)), timeProvider: clock);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not become true within 30 seconds.");
            await Task.Delay(20);
        }
    }
}

/// <summary>Records the measurements of the meters one <see cref="IMeterFactory"/> made (so parallel tests do not mix).</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public MeasurementRecorder(IMeterFactory factory, string meterName = KeyVaultMetrics.MeterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public double Sum(string instrument, string vault)
    {
        lock (_measurements)
        {
            return _measurements
                .Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault(KeyVaultMetrics.VaultTag), vault))
                .Sum(m => m.Value);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, copy));
        }
    }
}
