using Azure.Data.Tables;
using Azure.Security.KeyVault.Secrets;
using KeyVault.TestServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Simulator;
using TokenRotation;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Keys;
using TokenRotation.Stores;

namespace Testing.Shared;

/// <summary>
/// One test world: the NetSuite simulator (in-process on loopback Kestrel), the state and consumer Key Vault test
/// servers, Azurite (the connection index; with <see cref="WorldCoordination.Azurite"/> also leases, queue and
/// tables) or in-memory coordination, a <see cref="FakeTimeProvider"/> shared by all of them, and the engine composed
/// through the product's one entry point, <see cref="ServiceCollectionExtensions.AddTokenRotation"/>. It seeds the
/// standard account (<see cref="WorldAccount"/>) and builds the connection documents of each kind
/// (<see cref="WorldDocuments"/>); with <see cref="TestWorldBuilder.RecordSideEffects"/> it records what the engine
/// sent to NetSuite and wrote to Key Vault (<see cref="Effects"/>). Start one with <see cref="Create"/>.
/// </summary>
public sealed class TestWorld : IAsyncDisposable
{
    /// <summary>Where every world's clock starts.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public const string DefaultPublicBaseUrl = "https://func-test.example.net";

    /// <summary>The consent callback's path under the public base URL (the Functions app's route).</summary>
    public const string CallbackPath = "/api/oauth/callback";

    private readonly string _journalFolder;
    private ServiceProvider _services = null!;

    private TestWorld(FakeTimeProvider time, NetSuiteSimulator simulator, KeyVaultTestServer stateVault, KeyVaultTestServer consumerVault, Azurite azurite, TestWorldBuilder builder)
    {
        Time = time;
        Simulator = simulator;
        StateVault = stateVault;
        ConsumerVault = consumerVault;
        Azurite = azurite;
        Account = builder.Account;
        PublicBaseUrl = builder.PublicBaseUrl;
        Coordination = builder.Coordination;
        StorageNames = WorldStorageNames.Unique();
        _journalFolder = Path.Combine(Path.GetTempPath(), "nstoken-journal-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>A builder with the defaults of the engine tests.</summary>
    public static TestWorldBuilder Create() => new();

    public FakeTimeProvider Time { get; }

    public NetSuiteSimulator Simulator { get; }

    public KeyVaultTestServer StateVault { get; }

    public KeyVaultTestServer ConsumerVault { get; }

    public Azurite Azurite { get; }

    /// <summary>The account <see cref="SeedAccount"/> seeds.</summary>
    public WorldAccount Account { get; }

    public string PublicBaseUrl { get; }

    public string CallbackUrl => PublicBaseUrl + CallbackPath;

    public WorldCoordination Coordination { get; }

    /// <summary>The world's own Azurite names (the index table always; the rest with <see cref="WorldCoordination.Azurite"/>).</summary>
    public WorldStorageNames StorageNames { get; }

    /// <summary>The configuration the engine was composed with.</summary>
    public IConfiguration Configuration { get; private set; } = null!;

    /// <summary>Every log line of the engine, at Trace level.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The side effects, in order; empty unless the world was built with <see cref="TestWorldBuilder.RecordSideEffects"/>.</summary>
    public SideEffects Effects { get; } = new();

    public IServiceProvider Services => _services;

    public IConnectionStore Store => _services.GetRequiredService<IConnectionStore>();

    public IConsumerPublisher Consumers => _services.GetRequiredService<IConsumerPublisher>();

    /// <summary>The consent-session table (Azurite coordination).</summary>
    public TableClient ConsentTable => Azurite.CreateTableServiceClient().GetTableClient(StorageNames.ConsentTable);

    internal static async Task<TestWorld> StartAsync(TestWorldBuilder builder)
    {
        var time = new FakeTimeProvider(Start);
        var vaultOptions = builder.StateVaultOptions;
        if (builder.StateVaultFollowsClock)
        {
            // Certificates the state vault creates are then valid from the engine's (fake) now.
            vaultOptions ??= new KeyVaultTestServerOptions();
            vaultOptions.TimeProvider = time;
        }

        var simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = time });
        var stateVault = await KeyVaultTestServer.StartAsync(vaultOptions);
        var consumerVault = await KeyVaultTestServer.StartAsync();
        var azurite = await Azurite.GetAsync();
        var world = new TestWorld(time, simulator, stateVault, consumerVault, azurite, builder);
        world.ComposeEngine(builder);
        return world;
    }

    private void ComposeEngine(TestWorldBuilder builder)
    {
        var values = WorldSettings.Engine(PublicBaseUrl, StateVault.VaultUri, ConsumerVault.VaultUri, Azurite.ConnectionString, StorageNames.IndexTable, Simulator);
        if (Coordination == WorldCoordination.Azurite)
        {
            foreach (var (key, value) in WorldSettings.AzuriteCoordination(StorageNames))
            {
                values[key] = value;
            }
        }

        foreach (var change in builder.Settings)
        {
            change(values);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values);
        foreach (var layer in builder.FinalSettings)
        {
            configuration.AddInMemoryCollection(layer);
        }

        Configuration = configuration.Build();

        // What the composition keeps (it only adds what is missing): the clock, the logs, the test servers' clients
        // and the coordination chosen for the world.
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<TimeProvider>(Time);
        services.AddKeyedSingleton<SecretClient>(StoresServiceCollectionExtensions.StateVaultKey, (_, _) => StateVault.CreateSecretClient());
        services.AddKeyedSingleton<SecretClient>(StoresServiceCollectionExtensions.ConsumerVaultKey, (_, _) => ConsumerVault.CreateSecretClient());
        services.AddSingleton(_ => StateVault.CreateCertificateClient());
        services.AddSingleton(_ => new KeyVaultSignClient(StateVault.VaultUri, StateVault.Credential, StateVault.ConfigureTransport(new KeyVaultSignClientOptions())));
        if (Coordination == WorldCoordination.InMemory)
        {
            services.AddSingleton<InMemoryWorkQueue>();
            services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<InMemoryWorkQueue>());
            services.AddSingleton<ILeaseProvider>(sp => new InMemoryLeaseProvider(sp.GetRequiredService<TimeProvider>(), new CoordinationOptions(), renewOnTimer: false, null));
            services.AddSingleton<ITotpStepStore, InMemoryTotpStepStore>();
            services.AddSingleton<IConsentSessionStore, InMemoryConsentSessionStore>();
            services.AddSingleton<ITokenJournal>(_ => new FileTokenJournal(_journalFolder));
        }
        else
        {
            // The Functions app's poisoned-work log, in the world's own table.
            services.AddSingleton<IPoisonedWorkLog>(sp => new TablePoisonedWorkLog(sp.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.PoisonTable)));
        }

        foreach (var configure in builder.Services)
        {
            configure(services);
        }

        builder.Compose(services, Configuration);

        if (builder.Records)
        {
            // Recording decorators: every side effect passes through them, so a run can be crashed after any of them.
            services.AddSingleton(Effects);
            services.Decorate<IConnectionStore>((_, inner) => new RecordingConnectionStore(inner, Effects));
            services.Decorate<IConsumerPublisher>((_, inner) => new RecordingConsumerPublisher(inner, Effects));
            services.Decorate<ICertificateKeyStore>((_, inner) => new RecordingCertificateKeyStore(inner, Effects));
            services.PostConfigureAll<HttpClientFactoryOptions>(o =>
                o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Insert(0, new RecordingHandler(Effects))));
        }

        foreach (var change in builder.Overrides)
        {
            change(services);
        }

        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = builder.ValidatesOnBuild });
    }

    /// <summary>
    /// Seeds the simulator's account (<see cref="WorldAccount.SeedInto"/>: once per world) and adds an integration
    /// record, by default a confidential one whose redirect URI is <see cref="CallbackUrl"/>.
    /// </summary>
    public SimIntegration SeedAccount(bool twoFactor = true, IntegrationSpec? spec = null, bool administratorRole = false, bool consentUser = false)
    {
        Account.SeedInto(Simulator.State, twoFactor, administratorRole, consentUser);
        return Simulator.State.AddIntegration(Account.Id, spec ?? new IntegrationSpec { RedirectUris = [CallbackUrl] });
    }

    /// <summary>A TBA connection document around a token the simulator issued (as if made in NetSuite's UI).</summary>
    public ConnectionDocument TbaConnection(string name, SimIntegration integration, bool pinRole = false)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var token = Simulator.State.IssueTbaToken(Account.Id, integration.ConsumerKey, Account.UserEmail, Account.IntegrationRole, name: "made in the UI");
        return WorldDocuments.Tba(name, Account, integration, token, Time.GetUtcNow(), pinRole);
    }

    /// <summary>An OAuth 2.0 connection document whose first consent already happened (tokens issued by the simulator).</summary>
    public ConnectionDocument ConsentedOAuth2Connection(string name, SimIntegration integration, bool publicClient = false, string? redirectUri = null)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var tokens = Simulator.State.IssueOAuth2Tokens(Account.Id, integration.ClientId, Account.UserEmail, Account.IntegrationRole);
        return WorldDocuments.ConsentedOAuth2(name, Account, integration, tokens, redirectUri ?? CallbackUrl, Time.GetUtcNow(), publicClient);
    }

    /// <summary>Saves a document straight into the store as generation 1, as <c>nstoken import</c> would after its checks.</summary>
    public async Task SaveNewAsync(ConnectionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Generation = 1;
        await Store.SaveAsync(document, Scheduler.Index(document, new RotationOptions()));
    }

    public Task<ConnectionDocument?> GetAsync(string name) => Store.GetAsync(ConnectionName.Parse(name));

    public Task<ConsumerProjection?> GetProjectionAsync(string name) => Consumers.GetAsync(ConnectionName.Parse(name));

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Simulator.DisposeAsync();
        await StateVault.DisposeAsync();
        await ConsumerVault.DisposeAsync();
        try
        {
            if (Directory.Exists(_journalFolder))
            {
                Directory.Delete(_journalFolder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }
}
