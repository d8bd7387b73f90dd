using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Simulator;
using Testing.Shared;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// The engine tests' view of the test world (<see cref="TestWorld"/>): the engine as the app composes it, against the
/// NetSuite simulator, two Key Vault test servers (state and consumer) and in-memory leases on fake time, with the
/// fake-clock engine settings. Every side effect (a NetSuite call, a Key Vault write, a tag update) goes through the
/// world's recorder, which can crash the run right after it.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    public const string Account = "1234567_SB1";
    public const string UserEmail = "integration@example.com";
    public const string TotpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    private EngineHarness(TestWorld world) => World = world;

    /// <summary>The world under this harness.</summary>
    public TestWorld World { get; }

    public FakeTimeProvider Time => World.Time;

    public NetSuiteSimulator Simulator => World.Simulator;

    public KeyVaultTestServer StateVault => World.StateVault;

    public KeyVaultTestServer ConsumerVault => World.ConsumerVault;

    public CapturingLoggerProvider Logs => World.Logs;

    public SideEffects Effects => World.Effects;

    public IServiceProvider Services => World.Services;

    public ConnectionProcessor Processor => Services.GetRequiredService<ConnectionProcessor>();

    public ConnectionImport Imports => Services.GetRequiredService<ConnectionImport>();

    public ConnectionLifecycle Lifecycle => Services.GetRequiredService<ConnectionLifecycle>();

    public ConnectionStatusQuery Status => Services.GetRequiredService<ConnectionStatusQuery>();

    public ConsentCodeExchange Consents => Services.GetRequiredService<ConsentCodeExchange>();

    public SweepService Sweeps => Services.GetRequiredService<SweepService>();

    public AccountWorker Worker => Services.GetRequiredService<AccountWorker>();

    public IConnectionStore Store => World.Store;

    public IConsumerPublisher Consumers => World.Consumers;

    public InMemoryWorkQueue Queue => Services.GetRequiredService<InMemoryWorkQueue>();

    public ITokenJournal Journal => Services.GetRequiredService<ITokenJournal>();

    public static async Task<EngineHarness> StartAsync(Action<IDictionary<string, string?>>? settings = null, Action<IServiceCollection>? overrides = null, KeyVaultTestServerOptions? vaultOptions = null, bool stateVaultOnFakeClock = false) =>
        new(await TestWorld.Create()
            .WithSettings(settings)
            .WithFinalSettings(FakeClockEngineSettings.Values)
            .WithStateVault(vaultOptions)
            .StateVaultOnFakeClock(stateVaultOnFakeClock)
            .WithCoordination(WorldCoordination.InMemory)
            .RecordSideEffects()
            .Override(overrides)
            .StartAsync());

    /// <summary>Seeds the simulator's sandbox account, a role requiring 2FA and the integration user; returns the integration.</summary>
    public SimIntegration SeedAccount(bool twoFactor = true, IntegrationSpec? spec = null) => World.SeedAccount(twoFactor, spec);

    /// <summary>A TBA connection document around a token the simulator issued (as if made in NetSuite's UI).</summary>
    public ConnectionDocument TbaConnection(string name, SimIntegration integration) => World.TbaConnection(name, integration);

    /// <summary>An OAuth 2.0 connection whose first consent already happened (tokens issued by the simulator).</summary>
    public Task<ConnectionDocument> ConsentedOAuth2ConnectionAsync(string name, SimIntegration integration, bool publicClient) =>
        Task.FromResult(World.ConsentedOAuth2Connection(name, integration, publicClient));

    /// <summary>Imports a document straight into the store (generation 1), as `nstoken import` would after its checks.</summary>
    public Task SaveNewAsync(ConnectionDocument doc) => World.SaveNewAsync(doc);

    public Task<ConnectionDocument?> GetAsync(string name) => World.GetAsync(name);

    public ValueTask DisposeAsync() => World.DisposeAsync();
}
