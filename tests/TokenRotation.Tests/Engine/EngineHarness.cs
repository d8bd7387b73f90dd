using System.Collections.Concurrent;
using Azure.Security.KeyVault.Secrets;
using KeyVault.TestServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
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
/// The engine as the app composes it (<see cref="ServiceCollectionExtensions.AddTokenRotation"/>), against the NetSuite
/// simulator, two Key Vault test servers (state and consumer) and in-memory leases on fake time. Every side effect
/// (a NetSuite call, a Key Vault write, a tag update) goes through a recorder that can crash the run right after it.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    public const string Account = "1234567_SB1";
    public const string UserEmail = "integration@example.com";
    public const string TotpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    private readonly ServiceProvider _services;

    private EngineHarness(FakeTimeProvider time, NetSuiteSimulator simulator, KeyVaultTestServer stateVault, KeyVaultTestServer consumerVault, ServiceProvider services, CapturingLoggerProvider logs, SideEffects effects)
    {
        Time = time;
        Simulator = simulator;
        StateVault = stateVault;
        ConsumerVault = consumerVault;
        _services = services;
        Logs = logs;
        Effects = effects;
    }

    public FakeTimeProvider Time { get; }

    public NetSuiteSimulator Simulator { get; }

    public KeyVaultTestServer StateVault { get; }

    public KeyVaultTestServer ConsumerVault { get; }

    public CapturingLoggerProvider Logs { get; }

    public SideEffects Effects { get; }

    public IServiceProvider Services => _services;

    public ConnectionProcessor Processor => _services.GetRequiredService<ConnectionProcessor>();

    public ConnectionImport Imports => _services.GetRequiredService<ConnectionImport>();

    public ConnectionLifecycle Lifecycle => _services.GetRequiredService<ConnectionLifecycle>();

    public ConnectionStatusQuery Status => _services.GetRequiredService<ConnectionStatusQuery>();

    public ConsentCodeExchange Consents => _services.GetRequiredService<ConsentCodeExchange>();

    public SweepService Sweeps => _services.GetRequiredService<SweepService>();

    public AccountWorker Worker => _services.GetRequiredService<AccountWorker>();

    public IConnectionStore Store => _services.GetRequiredService<IConnectionStore>();

    public IConsumerPublisher Consumers => _services.GetRequiredService<IConsumerPublisher>();

    public InMemoryWorkQueue Queue => _services.GetRequiredService<InMemoryWorkQueue>();

    public ITokenJournal Journal => _services.GetRequiredService<ITokenJournal>();

    public static async Task<EngineHarness> StartAsync(Action<IDictionary<string, string?>>? settings = null, Action<IServiceCollection>? overrides = null, KeyVaultTestServerOptions? vaultOptions = null, bool stateVaultOnFakeClock = false)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        if (stateVaultOnFakeClock)
        {
            // Certificates the state vault creates are then valid from the engine's (fake) now.
            vaultOptions ??= new KeyVaultTestServerOptions();
            vaultOptions.TimeProvider = time;
        }

        var simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = time });
        var stateVault = await KeyVaultTestServer.StartAsync(vaultOptions);
        var consumerVault = await KeyVaultTestServer.StartAsync();
        var azurite = await Azurite.GetAsync();
        var values = new Dictionary<string, string?>
        {
            ["TokenRotation:PublicBaseUrl"] = "https://func-test.example.net",
            ["KeyVault:StateVaultUri"] = stateVault.VaultUri.ToString(),
            ["KeyVault:ConsumerVaultUri"] = consumerVault.VaultUri.ToString(),
            // The connection index and the intent markers live in Table storage (architecture section 13): Azurite,
            // a table of this harness's own.
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Coordination:IndexTable"] = Azurite.UniqueName("index").Replace("-", "", StringComparison.Ordinal),
            ["NetSuite:SuiteTalkUrlTemplate"] = simulator.SuiteTalkTemplate,
            ["NetSuite:RestletsUrlTemplate"] = simulator.RestletsTemplate,
            ["NetSuite:AppUrlTemplate"] = simulator.AppTemplate,
        };
        settings?.Invoke(values);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).AddInMemoryCollection(FakeClockEngineSettings.Values).Build();

        var logs = new CapturingLoggerProvider();
        var effects = new SideEffects();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<TimeProvider>(time);
        services.AddTokenRotation(configuration);
        services.AddKeyedSingleton<SecretClient>(StoresServiceCollectionExtensions.StateVaultKey, (_, _) => stateVault.CreateSecretClient());
        services.AddKeyedSingleton<SecretClient>(StoresServiceCollectionExtensions.ConsumerVaultKey, (_, _) => consumerVault.CreateSecretClient());
        services.AddSingleton(_ => stateVault.CreateCertificateClient());
        services.AddSingleton(_ => new TokenRotation.Keys.KeyVaultSignClient(
            stateVault.VaultUri, stateVault.Credential, stateVault.ConfigureTransport(new TokenRotation.Keys.KeyVaultSignClientOptions())));
        services.AddSingleton<InMemoryWorkQueue>();
        services.Replace(ServiceDescriptor.Singleton<IWorkQueue>(sp => sp.GetRequiredService<InMemoryWorkQueue>()));
        services.Replace(ServiceDescriptor.Singleton<ILeaseProvider>(sp => new InMemoryLeaseProvider(
            sp.GetRequiredService<TimeProvider>(), new CoordinationOptions(), renewOnTimer: false, null)));
        services.Replace(ServiceDescriptor.Singleton<ITotpStepStore, InMemoryTotpStepStore>());
        services.Replace(ServiceDescriptor.Singleton<IConsentSessionStore, InMemoryConsentSessionStore>());
        var journalFolder = Path.Combine(Path.GetTempPath(), "nstoken-journal-" + Guid.NewGuid().ToString("N"));
        services.Replace(ServiceDescriptor.Singleton<ITokenJournal>(_ => new FileTokenJournal(journalFolder)));

        // Recording decorators: every side effect passes through them, so a run can be crashed after any of them.
        services.AddSingleton(effects);
        Decorate<IConnectionStore>(services, (sp, inner) => new RecordingConnectionStore(inner, effects));
        Decorate<IConsumerPublisher>(services, (sp, inner) => new RecordingConsumerPublisher(inner, effects));
        Decorate<TokenRotation.Keys.ICertificateKeyStore>(services, (sp, inner) => new RecordingCertificateKeyStore(inner, effects));
        services.PostConfigureAll<HttpClientFactoryOptions>(o =>
            o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Insert(0, new RecordingHandler(effects))));
        overrides?.Invoke(services);

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        return new EngineHarness(time, simulator, stateVault, consumerVault, provider, logs, effects);
    }

    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> decorate)
        where T : class
    {
        var existing = services.Last(d => d.ServiceType == typeof(T) && !d.IsKeyedService);
        services.Remove(existing);
        services.AddSingleton(sp =>
        {
            var inner = existing.ImplementationInstance as T
                ?? (existing.ImplementationFactory is { } factory ? (T)factory(sp) : (T)ActivatorUtilities.CreateInstance(sp, existing.ImplementationType!));
            return decorate(sp, inner);
        });
    }

    /// <summary>Seeds the simulator's sandbox account, a role requiring 2FA and the integration user; returns the integration.</summary>
    public SimIntegration SeedAccount(bool twoFactor = true, IntegrationSpec? spec = null)
    {
        if (!Simulator.State.TryGetAccount(Account, out _))
        {
            Simulator.State.AddAccount(Account, concurrencyLimit: 5);
            Simulator.State.AddRole(Account, 1000, "Integration Role", twoFactorRequired: twoFactor);
            Simulator.State.AddUser(Account, UserEmail, "correct horse battery staple", TotpSecret, 1000);
        }

        return Simulator.State.AddIntegration(Account, spec ?? new IntegrationSpec { RedirectUris = ["https://func-test.example.net/api/oauth/callback"] });
    }

    /// <summary>A TBA connection document around a token the simulator issued (as if made in NetSuite's UI).</summary>
    public ConnectionDocument TbaConnection(string name, SimIntegration integration)
    {
        var token = Simulator.State.IssueTbaToken(Account, integration.ConsumerKey, UserEmail, 1000, name: "made in the UI");
        return new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.Tba,
            Account = Account,
            Tba = new TbaDefinition
            {
                ConsumerKey = integration.ConsumerKey,
                ConsumerSecret = integration.ConsumerSecret,
                User = new RotationUser { Email = UserEmail, Password = "correct horse battery staple", TotpSecret = TotpSecret, RoleId = "1000" },
            },
            Credentials = new CredentialSlots { Current = new RotatedCredential { Id = token.TokenId, Secret = token.TokenSecret, Name = token.Name, IssuedAt = Time.GetUtcNow() } },
        };
    }

    /// <summary>An OAuth 2.0 connection whose first consent already happened (tokens issued by the simulator).</summary>
    public async Task<ConnectionDocument> ConsentedOAuth2ConnectionAsync(string name, SimIntegration integration, bool publicClient)
    {
        var tokens = Simulator.State.IssueOAuth2Tokens(Account, integration.ClientId, UserEmail, 1000);
        var facts = NetSuite.Auth.OAuth2.NetSuiteTokenFacts.Read(tokens.RefreshToken);
        await Task.CompletedTask;
        return new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = Account,
            Status = ConnectionStatus.Healthy,
            OAuth2 = new OAuth2Definition
            {
                ClientId = integration.ClientId,
                ClientSecret = publicClient ? null : integration.ClientSecret,
                IsPublicClient = publicClient,
                RedirectUri = "https://func-test.example.net/api/oauth/callback",
                RefreshToken = tokens.RefreshToken,
                RefreshTokenExpiresAt = facts.ExpiresAt,
                RefreshTokenIssuedAt = facts.IssuedAt,
                ChainEndsAt = publicClient ? facts.OriginalIssuedAt + TimeSpan.FromHours(integration.MaxTokenRotationHours) : null,
                ConsentedAt = Time.GetUtcNow(),
                ExpectedRoleId = "1000",
                ExpectedEntityId = facts.EntityId,
            },
        };
    }

    /// <summary>Imports a document straight into the store (generation 1), as `nstoken import` would after its checks.</summary>
    public async Task SaveNewAsync(ConnectionDocument doc)
    {
        doc.Generation = 1;
        var index = Scheduler.Index(doc, new Configuration.RotationOptions());
        await Store.SaveAsync(doc, index);
    }

    public Task<ConnectionDocument?> GetAsync(string name) => Store.GetAsync(ConnectionName.Parse(name));

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Simulator.DisposeAsync();
        await StateVault.DisposeAsync();
        await ConsumerVault.DisposeAsync();
    }
}

/// <summary>The run "dies" here: thrown right after a side effect happened, before its result is used.</summary>
public sealed class CrashException(string effect) : Exception($"Injected crash after {effect}");

/// <summary>Records side effects in order, and crashes once after the chosen one.</summary>
public sealed class SideEffects
{
    private readonly ConcurrentQueue<string> _log = new();
    private int _count;

    /// <summary>1-based index of the effect after which to crash; 0 for none.</summary>
    public int CrashAfter { get; set; }

    public IReadOnlyList<string> Log => _log.ToArray();

    public int Count => Volatile.Read(ref _count);

    public void Happened(string effect)
    {
        _log.Enqueue(effect);
        var n = Interlocked.Increment(ref _count);
        if (n == CrashAfter)
        {
            CrashAfter = 0;
            throw new CrashException($"#{n} {effect}");
        }
    }

    public void Reset()
    {
        _log.Clear();
        Interlocked.Exchange(ref _count, 0);
        CrashAfter = 0;
    }
}

internal sealed class RecordingConnectionStore(IConnectionStore inner, SideEffects effects) : IConnectionStore, IConnectionMarkerStore
{
    public async Task SaveMarkerAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        var markers = inner as IConnectionMarkerStore ?? throw new NotSupportedException("The harness's connection store keeps no markers.");
        await markers.SaveMarkerAsync(document, index, cancellationToken);
        effects.Happened($"state marker {document.Name} gen {document.Generation} rotation {document.Rotation?.Step}");
    }

    public IAsyncEnumerable<ConnectionIndex> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

    public Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

    public async Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        await inner.SaveAsync(document, index, cancellationToken);
        effects.Happened($"state write {document.Name} gen {document.Generation} rotation {document.Rotation?.Step}");
    }

    public async Task UpdateIndexAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        await (inner is IConnectionMarkerStore rows ? rows.UpdateIndexAsync(document, index, cancellationToken) : inner.UpdateIndexAsync(index, cancellationToken));
        effects.Happened($"tag update {index.Name}");
    }

    public async Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        await inner.UpdateIndexAsync(index, cancellationToken);
        effects.Happened($"tag update {index.Name}");
    }

    public async Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteAsync(name, cancellationToken);
        effects.Happened($"state delete {name}");
        return deleted;
    }

    public Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.IsDeletedAsync(name, cancellationToken);

    public Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.RecoverAsync(name, cancellationToken);
}

internal sealed class RecordingConsumerPublisher(IConsumerPublisher inner, SideEffects effects) : IConsumerPublisher
{
    public async Task PublishAccessTokenAsync(ConnectionName name, string account, string accessToken, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        await inner.PublishAccessTokenAsync(name, account, accessToken, expiresAt, cancellationToken);
        effects.Happened($"consumer access token {name}");
    }

    public async Task PublishTbaAsync(ConnectionName name, TbaProjection projection, CancellationToken cancellationToken = default)
    {
        await inner.PublishTbaAsync(name, projection, cancellationToken);
        effects.Happened($"consumer TBA set {name} token {projection.TokenId}");
    }

    public Task<ConsumerProjection?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

    public async Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteAsync(name, cancellationToken);
        effects.Happened($"consumer delete {name}");
        return deleted;
    }
}

internal sealed class RecordingCertificateKeyStore(TokenRotation.Keys.ICertificateKeyStore inner, SideEffects effects) : TokenRotation.Keys.ICertificateKeyStore
{
    public async Task<TokenRotation.Keys.CertificateVersion> CreateVersionAsync(string certificateName, string subject, TimeSpan validity, CancellationToken cancellationToken = default)
    {
        var version = await inner.CreateVersionAsync(certificateName, subject, validity, cancellationToken);
        effects.Happened($"key vault certificate version {certificateName}");
        return version;
    }

    public NetSuite.Auth.OAuth2.Jwt.IJwtSigner CreateSigner(string certificateName, string version, string algorithm, string keyId) =>
        inner.CreateSigner(certificateName, version, algorithm, keyId);
}

/// <summary>Outermost handler of every NetSuite client: the request reached NetSuite, then the run may die.</summary>
internal sealed class RecordingHandler(SideEffects effects) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        effects.Happened($"netsuite {request.Method} {path[(path.IndexOf('/', 1) + 1)..]} -> {(int)response.StatusCode}");
        return response;
    }
}
