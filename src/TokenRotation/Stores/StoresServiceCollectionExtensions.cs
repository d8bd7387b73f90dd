using Azure.Core;
using Azure.Data.Tables;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;
using TokenRotation.Configuration;
using TokenRotation.Coordination;

namespace TokenRotation.Stores;

/// <summary>
/// Registers the stores, leases, gate, coordination tables and work queue. The two vaults' clients are keyed
/// singletons of <see cref="SecretClient"/> with the keys <see cref="StateVaultKey"/> and <see cref="ConsumerVaultKey"/>;
/// a test replaces them with the Key Vault test server's clients by registering its own keyed singletons (before or
/// after this call: these registrations only add what is missing, and the last keyed registration wins).
/// </summary>
public static class StoresServiceCollectionExtensions
{
    /// <summary>Service key of the state vault's <see cref="SecretClient"/> and write limiter.</summary>
    public const string StateVaultKey = KeyVaultMetrics.StateVault;

    /// <summary>Service key of the consumer vault's <see cref="SecretClient"/> and write limiter.</summary>
    public const string ConsumerVaultKey = KeyVaultMetrics.ConsumerVault;

    /// <summary>
    /// The Azure implementations: Key Vault stores (with the per-vault write pipelines
    /// <see cref="KeyVaultWritePipelines.State"/> and <see cref="KeyVaultWritePipelines.Consumer"/>), blob leases,
    /// the lease gate (pipeline <see cref="LeaseAccountGate.PipelineName"/>), table stores and the storage queue.
    /// Implementations already registered (for example by <see cref="AddTokenRotationLocalStores"/>) are kept.
    /// </summary>
    internal static IServiceCollection AddTokenRotationStores(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCommon(services, configuration);

        if (services.Any(d => d.ServiceType == typeof(AzureStoresMarker)))
        {
            return services;
        }

        services.AddSingleton<AzureStoresMarker>();
        services.AddValidatedSection<KeyVaultOptions, KeyVaultOptionsValidator>(configuration, KeyVaultOptions.SectionName);
        services.AddValidatedSection<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.SectionName);
        services.PostConfigure<StorageOptions>(options => options.UseWorkQueueSetting(configuration));

        services.TryAddSingleton<TokenCredential>(sp => StorageClients.CreateCredential(Options<KeyVaultOptions>(sp)));
        services.TryAddKeyedSingleton<SecretClient>(StateVaultKey, (sp, _) =>
            new SecretClient(new Uri(Options<KeyVaultOptions>(sp).StateVaultUri), sp.GetRequiredService<TokenCredential>()));
        services.TryAddKeyedSingleton<SecretClient>(ConsumerVaultKey, (sp, _) =>
            new SecretClient(new Uri(Options<KeyVaultOptions>(sp).ConsumerVaultUri), sp.GetRequiredService<TokenCredential>()));

        services.TryAddKeyedSingleton<SlidingWindowWriteLimiter>(StateVaultKey, (sp, _) =>
            KeyVaultWritePipelines.CreateLimiter(Options<KeyVaultOptions>(sp).WritesPer10Seconds, sp.GetRequiredService<TimeProvider>()));
        services.TryAddKeyedSingleton<SlidingWindowWriteLimiter>(ConsumerVaultKey, (sp, _) =>
            KeyVaultWritePipelines.CreateLimiter(Options<KeyVaultOptions>(sp).WritesPer10Seconds, sp.GetRequiredService<TimeProvider>()));
        services.AddResiliencePipeline(KeyVaultWritePipelines.State, (builder, context) =>
            builder.AddWriteLimiter(context.ServiceProvider.GetRequiredKeyedService<SlidingWindowWriteLimiter>(StateVaultKey)));
        services.AddResiliencePipeline(KeyVaultWritePipelines.Consumer, (builder, context) =>
            builder.AddWriteLimiter(context.ServiceProvider.GetRequiredKeyedService<SlidingWindowWriteLimiter>(ConsumerVaultKey)));

        // Documents in the state vault, the index and the intent markers in Table storage (architecture section 13).
        services.TryAddSingleton<IConnectionStore>(sp => new TableIndexedConnectionStore(
            new KeyVaultConnectionStore(
                sp.GetRequiredKeyedService<SecretClient>(StateVaultKey),
                sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(KeyVaultWritePipelines.State),
                sp.GetRequiredService<KeyVaultMetrics>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILogger<KeyVaultConnectionStore>>()),
            sp.GetRequiredService<TableServiceClient>().GetTableClient(Options<CoordinationOptions>(sp).IndexTable),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<TableIndexedConnectionStore>>()));
        services.TryAddSingleton<IConsumerPublisher>(sp => new KeyVaultConsumerPublisher(
            sp.GetRequiredKeyedService<SecretClient>(ConsumerVaultKey),
            sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(KeyVaultWritePipelines.Consumer),
            sp.GetRequiredService<KeyVaultMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KeyVaultConsumerPublisher>>()));

        services.TryAddSingleton(sp =>
        {
            var storage = Options<StorageOptions>(sp);
            return new StorageClients(storage, string.IsNullOrWhiteSpace(storage.ConnectionString) ? sp.GetRequiredService<TokenCredential>() : null);
        });
        services.TryAddSingleton<BlobServiceClient>(sp => sp.GetRequiredService<StorageClients>().CreateBlobServiceClient());
        services.TryAddSingleton<QueueServiceClient>(sp => sp.GetRequiredService<StorageClients>().CreateQueueServiceClient());
        services.TryAddSingleton<TableServiceClient>(sp => sp.GetRequiredService<StorageClients>().CreateTableServiceClient());

        services.TryAddSingleton<ILeaseProvider>(sp => new BlobLeaseProvider(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(Options<StorageOptions>(sp).LeaseContainer),
            Options<CoordinationOptions>(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<BlobLeaseProvider>>()));
        services.TryAddSingleton<ITotpStepStore>(sp => new TableTotpStepStore(
            sp.GetRequiredService<TableServiceClient>().GetTableClient(Options<CoordinationOptions>(sp).TotpTable)));
        services.TryAddSingleton<IConsentSessionStore>(sp => new TableConsentSessionStore(
            sp.GetRequiredService<TableServiceClient>().GetTableClient(Options<CoordinationOptions>(sp).ConsentTable),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ITokenJournal>(sp => new TableTokenJournal(
            sp.GetRequiredService<TableServiceClient>().GetTableClient(Options<CoordinationOptions>(sp).JournalTable)));
        services.TryAddSingleton<IWorkQueue>(sp => new StorageWorkQueue(
            sp.GetRequiredService<QueueServiceClient>().GetQueueClient(Options<StorageOptions>(sp).WorkQueue)));
        return services;
    }

    /// <summary>
    /// The local implementations, for running without Azure (the CLI demo): file-backed vaults in
    /// <c>{folder}/state-vault</c> and <c>{folder}/consumer-vault</c>, in-memory leases, gate, TOTP steps, consent
    /// sessions and work queue. They replace implementations registered before, and
    /// <see cref="AddTokenRotationStores"/> called afterwards keeps them. The concrete types
    /// (<see cref="FileConnectionStore"/>, <see cref="FileConsumerPublisher"/>, <see cref="InMemoryLeaseProvider"/>,
    /// <see cref="InMemoryWorkQueue"/>) are registered too, for the demo's figures.
    /// </summary>
    internal static IServiceCollection AddTokenRotationLocalStores(this IServiceCollection services, string folder)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        AddCommon(services, configuration: null);
        var root = Path.GetFullPath(folder);

        services.RemoveAll<FileConnectionStore>();
        services.RemoveAll<FileConsumerPublisher>();
        services.RemoveAll<InMemoryLeaseProvider>();
        services.RemoveAll<InMemoryWorkQueue>();
        services.AddSingleton(sp => new FileConnectionStore(Path.Combine(root, "state-vault"), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FileConsumerPublisher(Path.Combine(root, "consumer-vault"), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new InMemoryLeaseProvider(
            sp.GetRequiredService<TimeProvider>(), Options<CoordinationOptions>(sp), renewOnTimer: true, sp.GetService<ILogger<InMemoryLeaseProvider>>()));
        services.AddSingleton<InMemoryWorkQueue>();

        services.Replace(ServiceDescriptor.Singleton<IConnectionStore>(sp => sp.GetRequiredService<FileConnectionStore>()));
        services.Replace(ServiceDescriptor.Singleton<IConsumerPublisher>(sp => sp.GetRequiredService<FileConsumerPublisher>()));
        services.Replace(ServiceDescriptor.Singleton<ILeaseProvider>(sp => sp.GetRequiredService<InMemoryLeaseProvider>()));
        services.Replace(ServiceDescriptor.Singleton<ITotpStepStore, InMemoryTotpStepStore>());
        services.Replace(ServiceDescriptor.Singleton<IConsentSessionStore, InMemoryConsentSessionStore>());
        services.Replace(ServiceDescriptor.Singleton<IWorkQueue>(sp => sp.GetRequiredService<InMemoryWorkQueue>()));
        services.Replace(ServiceDescriptor.Singleton<ITokenJournal>(_ => new FileTokenJournal(Path.Combine(root, "token-journal"))));
        return services;
    }

    /// <summary>What both variants need: clock, metrics, coordination options and the gate with its pipeline.</summary>
    private static void AddCommon(IServiceCollection services, IConfiguration? configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<KeyVaultMetrics>();
        if (configuration is not null && !services.Any(d => d.ServiceType == typeof(CoordinationConfiguredMarker)))
        {
            services.AddSingleton<CoordinationConfiguredMarker>();
            services.AddValidatedSection<TokenRotationOptions, TokenRotationOptionsValidator>(configuration, TokenRotationOptions.SectionName);
            services.AddValidatedSection<CoordinationOptions, CoordinationOptionsValidator>(configuration, CoordinationOptions.SectionName);
        }

        if (services.Any(d => d.ServiceType == typeof(GateMarker)))
        {
            return;
        }

        services.AddSingleton<GateMarker>();
        services.AddOptions<CoordinationOptions>();
        services.AddOptions<TokenRotationOptions>();
        services.AddResiliencePipeline<string, ILease?>(LeaseAccountGate.PipelineName, (builder, context) =>
        {
            builder.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            LeaseAccountGate.ConfigurePipeline(builder, Options<CoordinationOptions>(context.ServiceProvider));
        });
        services.TryAddSingleton<IAccountGate>(sp => new LeaseAccountGate(
            sp.GetRequiredService<ILeaseProvider>(),
            Options<TokenRotationOptions>(sp).AccountConcurrency,
            sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline<ILease?>(LeaseAccountGate.PipelineName),
            Options<CoordinationOptions>(sp).GateMaxWait));
    }


    private static T Options<T>(IServiceProvider services)
        where T : class => services.GetRequiredService<IOptions<T>>().Value;

    private sealed class AzureStoresMarker;

    private sealed class CoordinationConfiguredMarker;

    private sealed class GateMarker;
}
