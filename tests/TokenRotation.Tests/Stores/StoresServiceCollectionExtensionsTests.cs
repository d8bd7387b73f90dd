using System.Diagnostics.Metrics;
using Azure.Security.KeyVault.Secrets;
using KeyVault.TestServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;
using Testing.Shared;
using TokenRotation.Coordination;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

public sealed class StoresServiceCollectionExtensionsTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("nstoken-local-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Azure_stores_resolve_and_use_the_overridden_vault_clients_and_storage()
    {
        await using var stateVault = await KeyVaultTestServer.StartAsync();
        await using var consumerVault = await KeyVaultTestServer.StartAsync();
        var azurite = await Azurite.GetAsync();
        var configuration = Configuration(azurite.ConnectionString);
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddTokenRotationStores(configuration);
        services.AddKeyedSingleton(StoresServiceCollectionExtensions.StateVaultKey, stateVault.CreateSecretClient());
        services.AddKeyedSingleton(StoresServiceCollectionExtensions.ConsumerVaultKey, consumerVault.CreateSecretClient());
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var name = Samples.NewName();

        var document = Samples.Document(name);
        var accessToken = Samples.Canary("at");
        await provider.GetRequiredService<IConnectionStore>().SaveAsync(document, Samples.Index(name));
        await provider.GetRequiredService<IConsumerPublisher>().PublishAccessTokenAsync(name, "1234567", accessToken, Samples.Start.AddHours(1));
        await using var lease = await provider.GetRequiredService<ILeaseProvider>().TryAcquireAsync(name.Value);
        await using var slot = await provider.GetRequiredService<IAccountGate>().EnterAsync("1234567");
        var reserved = await provider.GetRequiredService<ITotpStepStore>().TryReserveAsync("1234567", "a@example.com", 1);
        await provider.GetRequiredService<IWorkQueue>().EnqueueAsync(new AccountWorkItem("1234567", ["conn-a"], Samples.Start, false));

        Assert.IsType<TableIndexedConnectionStore>(provider.GetRequiredService<IConnectionStore>());
        Assert.IsType<KeyVaultConsumerPublisher>(provider.GetRequiredService<IConsumerPublisher>());
        Assert.IsType<BlobLeaseProvider>(provider.GetRequiredService<ILeaseProvider>());
        Assert.IsType<LeaseAccountGate>(provider.GetRequiredService<IAccountGate>());
        Assert.IsType<TableTotpStepStore>(provider.GetRequiredService<ITotpStepStore>());
        Assert.IsType<TableConsentSessionStore>(provider.GetRequiredService<IConsentSessionStore>());
        Assert.IsType<StorageWorkQueue>(provider.GetRequiredService<IWorkQueue>());
        Assert.Equal(1, stateVault.State.VersionCount(SecretNames.State(name)));
        Assert.Equal(1, consumerVault.State.VersionCount(SecretNames.Consumer(name)));
        Assert.NotNull(lease);
        Assert.True(reserved);
        Assert.True(await azurite.CreateQueueServiceClient().GetQueueClient(configuration["Storage:WorkQueue"]).ExistsAsync());
        var logged = logs.AllText();
        Assert.DoesNotContain(accessToken, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(document.Tba!.User.Password, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(document.Tba.ConsumerSecret, logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_write_pipelines_are_named_per_vault_and_report_to_Polly_telemetry()
    {
        await using var stateVault = await KeyVaultTestServer.StartAsync();
        var azurite = await Azurite.GetAsync();
        var services = new ServiceCollection().AddLogging();
        services.AddTokenRotationStores(Configuration(azurite.ConnectionString));
        services.AddKeyedSingleton(StoresServiceCollectionExtensions.StateVaultKey, stateVault.CreateSecretClient());
        await using var provider = services.BuildServiceProvider();
        var pipelines = provider.GetRequiredService<ResiliencePipelineProvider<string>>();
        using var listener = new PollyPipelineNames();

        await Samples.SaveAsync(provider.GetRequiredService<IConnectionStore>(), Samples.NewName());

        Assert.NotNull(pipelines.GetPipeline(KeyVaultWritePipelines.Consumer));
        Assert.NotNull(pipelines.GetPipeline<ILease?>(LeaseAccountGate.PipelineName));
        Assert.Contains(KeyVaultWritePipelines.State, listener.Names);
        Assert.Equal(250, provider.GetRequiredKeyedService<SlidingWindowWriteLimiter>(StoresServiceCollectionExtensions.StateVaultKey).PermitLimit);
    }

    [Fact]
    public async Task Local_stores_replace_the_azure_ones_and_write_files()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddTokenRotationStores(Configuration("UseDevelopmentStorage=true"));
        services.AddTokenRotationLocalStores(_folder.FullName);
        services.AddTokenRotationStores(Configuration("UseDevelopmentStorage=true"));
        await using var provider = services.BuildServiceProvider();
        var name = Samples.NewName();

        await Samples.SaveAsync(provider.GetRequiredService<IConnectionStore>(), name);
        await using var slot = await provider.GetRequiredService<IAccountGate>().EnterAsync("1234567");
        await provider.GetRequiredService<IWorkQueue>().EnqueueAsync(new AccountWorkItem("1234567", ["conn-a"], Samples.Start, false));

        Assert.IsType<FileConnectionStore>(provider.GetRequiredService<IConnectionStore>());
        Assert.IsType<FileConsumerPublisher>(provider.GetRequiredService<IConsumerPublisher>());
        Assert.IsType<InMemoryLeaseProvider>(provider.GetRequiredService<ILeaseProvider>());
        Assert.IsType<InMemoryTotpStepStore>(provider.GetRequiredService<ITotpStepStore>());
        Assert.IsType<InMemoryConsentSessionStore>(provider.GetRequiredService<IConsentSessionStore>());
        Assert.Single(provider.GetRequiredService<InMemoryWorkQueue>().Items);
        Assert.Equal(1, await provider.GetRequiredService<FileConnectionStore>().GetVersionCountAsync(name));
        Assert.True(File.Exists(Path.Combine(_folder.FullName, "state-vault", SecretNames.State(name) + ".json")));
        Assert.Single(provider.GetRequiredService<InMemoryLeaseProvider>().HeldKeys);
    }

    [Fact]
    public void Local_stores_need_no_configuration_at_all()
    {
        using var provider = new ServiceCollection().AddLogging().AddTokenRotationLocalStores(_folder.FullName).BuildServiceProvider();

        Assert.IsType<LeaseAccountGate>(provider.GetRequiredService<IAccountGate>());
        Assert.Equal(1, ((LeaseAccountGate)provider.GetRequiredService<IAccountGate>()).SlotsPerAccount);
    }

    [Fact]
    public void A_bad_coordination_setting_fails_with_a_message_naming_it()
    {
        var configuration = Configuration("UseDevelopmentStorage=true", ("Coordination:LeaseDuration", "00:00:05"));
        using var provider = new ServiceCollection().AddTokenRotationStores(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CoordinationOptions>>().Value);

        Assert.Contains("Coordination:LeaseDuration", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(string storage, params (string Key, string Value)[] extra)
    {
        var values = new Dictionary<string, string?>
        {
            ["TokenRotation:PublicBaseUrl"] = "https://nstoken.example.test",
            ["KeyVault:StateVaultUri"] = "https://kv-state.vault.azure.net/",
            ["KeyVault:ConsumerVaultUri"] = "https://kv-consumer.vault.azure.net/",
            ["Storage:ConnectionString"] = storage,
            ["Storage:LeaseContainer"] = Azurite.UniqueName("leases-di"),
            ["Storage:WorkQueue"] = Azurite.UniqueName("work-di"),
            ["Coordination:TotpTable"] = $"totpdi{Guid.NewGuid():N}",
            ["Coordination:ConsentTable"] = $"consentdi{Guid.NewGuid():N}",
            ["Coordination:IndexTable"] = $"indexdi{Guid.NewGuid():N}",
        };
        foreach (var (key, value) in extra)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    /// <summary>Pipeline names seen in Polly's own meter: proof that the pipelines report to telemetry.</summary>
    private sealed class PollyPipelineNames : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly HashSet<string> _names = [];

        public PollyPipelineNames()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Polly")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, _, tags, _) => Record(tags));
            _listener.SetMeasurementEventCallback<int>((_, _, tags, _) => Record(tags));
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) => Record(tags));
            _listener.Start();
        }

        public IReadOnlyCollection<string> Names
        {
            get
            {
                lock (_names)
                {
                    return [.. _names];
                }
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Record(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "pipeline.name" && tag.Value is string name)
                {
                    lock (_names)
                    {
                        _names.Add(name);
                    }
                }
            }
        }
    }
}
