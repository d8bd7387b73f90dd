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
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Keys;
using TokenRotation.Stores;

namespace TokenRotation.Bench.Soak;

/// <summary>
/// Everything the soak composes, in one place: one fake clock driving the NetSuite simulator, the state and consumer
/// Key Vault test servers and the engine, all in this process. The engine is built with
/// <see cref="ServiceCollectionExtensions.AddTokenRotation"/> as the Functions app builds it; coordination (leases,
/// TOTP steps, consent sessions, queue, token journal) is the in-memory and file implementations, because Azurite's
/// blob leases and queue visibility run on wall time while the engine runs on the fake clock. What outlives an engine
/// (the vaults, the simulator, the coordination stores) is made once; an engine "process" is a service provider that a
/// crash throws away and <see cref="RestartAsync"/> replaces.
/// </summary>
public sealed class SoakWorld : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    public const string RedirectUri = "https://func-soak.example.net/api/oauth/callback";

    private readonly string _folder;
    private readonly FileTokenJournal _journal;
    private ServiceProvider _engine = null!;

    private SoakWorld(FakeTimeProvider time, NetSuiteSimulator simulator, KeyVaultTestServer stateVault, KeyVaultTestServer consumerVault, string folder, int accountConcurrency)
    {
        Time = time;
        Simulator = simulator;
        StateVault = stateVault;
        ConsumerVault = consumerVault;
        _folder = folder;
        AccountConcurrency = accountConcurrency;
        _journal = new FileTokenJournal(Path.Combine(folder, "token-journal"));
        Leases = new FlakyLeaseProvider(new InMemoryLeaseProvider(time, new CoordinationOptions(), renewOnTimer: false, null));
    }

    public FakeTimeProvider Time { get; }

    public NetSuiteSimulator Simulator { get; }

    public KeyVaultTestServer StateVault { get; }

    public KeyVaultTestServer ConsumerVault { get; }

    public int AccountConcurrency { get; }

    /// <summary>Every log line of every engine this world started, at Trace level.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The crash seam: every side effect of an engine passes through it.</summary>
    public CrashSeam Crash { get; } = new();

    /// <summary>Leases that a fault can take away mid-run.</summary>
    public FlakyLeaseProvider Leases { get; }

    public InMemoryWorkQueue Queue { get; } = new();

    public InMemoryTotpStepStore TotpSteps { get; } = new();

    public InMemoryConsentSessionStore ConsentSessions { get; } = new();

    /// <summary>How many engines were started (1 + crashes).</summary>
    public int Engines { get; private set; }

    public ConnectionProcessor Processor => _engine.GetRequiredService<ConnectionProcessor>();

    public ConnectionLifecycle Lifecycle => _engine.GetRequiredService<ConnectionLifecycle>();

    public ConnectionImport Import => _engine.GetRequiredService<ConnectionImport>();

    public ConsentCodeExchange Consents => _engine.GetRequiredService<ConsentCodeExchange>();

    /// <summary><c>nstoken update</c>'s engine path: a person gives a connection new rotation credentials.</summary>
    public Connections.CredentialUpdater Updater => _engine.GetRequiredService<Connections.CredentialUpdater>();

    /// <summary><c>nstoken orphans ack</c>'s engine path: a person acknowledges a possible orphan after revoking it.</summary>
    public Connections.OrphanAcknowledger Orphans => _engine.GetRequiredService<Connections.OrphanAcknowledger>();

    public SweepService Sweeps => _engine.GetRequiredService<SweepService>();

    public AccountWorker Worker => _engine.GetRequiredService<AccountWorker>();

    /// <summary>The state store without the crash seam (the soak's own reads).</summary>
    public IConnectionStore Store => _engine.GetRequiredService<SoakStoreAccess>().Inner;

    public IConsumerPublisher Consumers => _engine.GetRequiredService<SoakStoreAccess>().Consumers;

    public ICertificateKeyStore CertificateKeys => _engine.GetRequiredService<SoakStoreAccess>().Keys;

    public Azure.Security.KeyVault.Certificates.CertificateClient Certificates => _engine.GetRequiredService<Azure.Security.KeyVault.Certificates.CertificateClient>();

    /// <summary>
    /// The connection's state document as the state vault holds it, read beside the vault's API (no request, no
    /// fault, no budget spent): the soak's own observations must not change what they observe. With
    /// <paramref name="withIntent"/>, an intent marker in the connection's index row (architecture section 13) that the
    /// document does not account for yet is put into it, as the engine's store does when it reads.
    /// </summary>
    public Connections.ConnectionDocument? Peek(string connection, bool withIntent = false)
    {
        var name = SecretNames.State(Connections.ConnectionName.Parse(connection));
        if (StateVault.State.GetSecret(name) is not { } secret)
        {
            return null;
        }

        var document = Connections.ConnectionDocument.FromJson(secret.Value, name);
        if (withIntent)
        {
            SoakIntent.Read(IndexTable, connection)?.ApplyTo(document);
        }

        return document;
    }

    /// <summary>The index table the engine uses (Azurite; no fault is injected on it).</summary>
    public Azure.Data.Tables.TableClient IndexTable => _indexClient ??= new Azure.Data.Tables.TableClient(_storage, _indexTable);

    private Azure.Data.Tables.TableClient? _indexClient;

    /// <summary>Whether the token journal holds an entry for the connection (a refresh whose state write is still to come).</summary>
    public bool HasJournalEntry(string connection) =>
        _journal.GetAsync(Connections.ConnectionName.Parse(connection)).GetAwaiter().GetResult() is not null;

    private readonly string _indexTable = "soakindex" + Guid.NewGuid().ToString("N")[..12];
    private string _storage = "UseDevelopmentStorage=true";

    public static async Task<SoakWorld> StartAsync(int accountConcurrency = 1)
    {
        var time = new FakeTimeProvider(Start);
        var simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = time }).ConfigureAwait(false);

        // Both vaults on the fake clock: their throttle windows and certificate validity follow the soak's time.
        var stateVault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = time }).ConfigureAwait(false);
        var consumerVault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = time }).ConfigureAwait(false);
        var folder = Path.Combine(Path.GetTempPath(), "nstoken-soak-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var world = new SoakWorld(time, simulator, stateVault, consumerVault, folder, accountConcurrency);

        // The connection index lives in Table storage (architecture section 13): Azurite, one table per soak.
        world._storage = (await Azurite.GetAsync().ConfigureAwait(false)).ConnectionString;
        world.BuildEngine();
        return world;
    }

    /// <summary>A fresh engine on the same stores, as after a process died: nothing in memory survives but the stores.</summary>
    public async Task RestartAsync()
    {
        var old = _engine;
        BuildEngine();
        await old.DisposeAsync().ConfigureAwait(false);
    }

    private void BuildEngine()
    {
        // The test world's settings (Testing.Shared), with the soak's account concurrency.
        var values = WorldSettings.Engine("https://func-soak.example.net", StateVault.VaultUri, ConsumerVault.VaultUri, _storage, _indexTable, Simulator);
        values["TokenRotation:AccountConcurrency"] = AccountConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).AddInMemoryCollection(FakeClockEngineSettings.Values).Build();
        var engine = Engines + 1;
        var crash = Crash.ForEngine(engine);

        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<TimeProvider>(Time);
        services.AddKeyedSingleton<SecretClient>(StoresServiceCollectionExtensions.StateVaultKey, (_, _) => StateVault.CreateSecretClient());
        services.AddKeyedSingleton<SecretClient>(StoresServiceCollectionExtensions.ConsumerVaultKey, (_, _) => ConsumerVault.CreateSecretClient());
        services.AddSingleton(_ => StateVault.CreateCertificateClient());
        services.AddSingleton(_ => new KeyVaultSignClient(StateVault.VaultUri, StateVault.Credential, StateVault.ConfigureTransport(new KeyVaultSignClientOptions())));

        // Coordination that outlives an engine; registered before the entry point, which only adds what is missing.
        services.AddSingleton<IWorkQueue>(Queue);
        services.AddSingleton<ILeaseProvider>(Leases);
        services.AddSingleton<ITotpStepStore>(TotpSteps);
        services.AddSingleton<IConsentSessionStore>(ConsentSessions);
        services.AddSingleton<ITokenJournal>(new CrashingJournal(_journal, crash));
        services.AddTokenRotation(configuration);
        services.TryAddSingleton<Connections.CredentialUpdater>();
        services.TryAddSingleton<Connections.OrphanAcknowledger>();

        // The crash seam around every side effect; the soak reads the stores beside it.
        services.Decorate<IConnectionStore>((sp, inner) => new CrashingConnectionStore(inner, crash));
        services.Decorate<IConsumerPublisher>((sp, inner) => new CrashingConsumerPublisher(inner, crash));
        services.Decorate<ICertificateKeyStore>((sp, inner) => new CrashingCertificateKeyStore(inner, crash));
        services.AddSingleton(sp => new SoakStoreAccess(
            ((CrashingConnectionStore)sp.GetRequiredService<IConnectionStore>()).Inner,
            ((CrashingConsumerPublisher)sp.GetRequiredService<IConsumerPublisher>()).Inner,
            ((CrashingCertificateKeyStore)sp.GetRequiredService<ICertificateKeyStore>()).Inner));
        services.PostConfigureAll<HttpClientFactoryOptions>(o =>
            o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Insert(0, new CrashingHandler(crash))));

        _engine = services.BuildServiceProvider();
        Engines = engine;
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync().ConfigureAwait(false);
        await Simulator.DisposeAsync().ConfigureAwait(false);
        await StateVault.DisposeAsync().ConfigureAwait(false);
        await ConsumerVault.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The stores without the crash seam, for the soak's own reads and imports.</summary>
internal sealed record SoakStoreAccess(IConnectionStore Inner, IConsumerPublisher Consumers, ICertificateKeyStore Keys);

/// <summary>The engine process died here (thrown by the crash seam).</summary>
public sealed class SoakCrashException(string message) : Exception(message);

/// <summary>
/// The process-crash fault. Armed with a count of side effects, it lets that many happen and then kills the engine:
/// the next side effect (or the answer of the NetSuite call in flight) throws, and so does every later one of that
/// engine, since a dead process does nothing more, not even record its failure.
/// </summary>
public sealed class CrashSeam
{
    private int _countdown;
    private int _armedEngine;
    private int _deadEngine;
    private long _effects;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _killed = new();

    /// <summary>What the crash happened after, once it happened (read and cleared by the soak).</summary>
    public string? CrashedAt { get; private set; }

    /// <summary>Every side effect whose result died with the engine (the crash's own and those in flight beside it); read and cleared.</summary>
    public IReadOnlyList<string> TakeKilled()
    {
        var killed = new List<string>();
        while (_killed.TryDequeue(out var effect))
        {
            killed.Add(effect);
        }

        return killed;
    }

    public long Effects => Interlocked.Read(ref _effects);

    public bool Armed => Volatile.Read(ref _countdown) > 0;

    /// <summary>Kills engine <paramref name="engine"/> after <paramref name="effects"/> more side effects.</summary>
    public void Arm(int engine, int effects)
    {
        Volatile.Write(ref _armedEngine, engine);
        Volatile.Write(ref _countdown, Math.Max(1, effects));
    }

    public void Disarm() => Volatile.Write(ref _countdown, 0);

    public string? TakeCrash()
    {
        var at = CrashedAt;
        CrashedAt = null;
        return at;
    }

    internal EngineCrash ForEngine(int engine) => new(this, engine);

    internal void Before(int engine, string effect)
    {
        if (Volatile.Read(ref _deadEngine) == engine)
        {
            throw new SoakCrashException($"engine {engine} is dead ({effect} not done)");
        }
    }

    internal void After(int engine, string effect)
    {
        Interlocked.Increment(ref _effects);
        if (Volatile.Read(ref _deadEngine) == engine)
        {
            _killed.Enqueue(effect);
            throw new SoakCrashException($"engine {engine} is dead (after {effect})");
        }

        if (Volatile.Read(ref _armedEngine) == engine && Volatile.Read(ref _countdown) > 0 && Interlocked.Decrement(ref _countdown) == 0)
        {
            Volatile.Write(ref _deadEngine, engine);
            _killed.Enqueue(effect);
            CrashedAt = effect;
            throw new SoakCrashException($"engine {engine} killed after {effect}");
        }
    }
}

internal sealed class EngineCrash(CrashSeam seam, int engine)
{
    public void Before(string effect) => seam.Before(engine, effect);

    public void After(string effect) => seam.After(engine, effect);
}

internal sealed class CrashingConnectionStore(IConnectionStore inner, EngineCrash crash) : IConnectionStore, IConnectionMarkerStore
{
    public IConnectionStore Inner => inner;

    /// <summary>An intent marker in the index row: a side effect like a state write (the engine's store keeps markers).</summary>
    public async Task SaveMarkerAsync(Connections.ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        var markers = (IConnectionMarkerStore)inner;
        var effect = $"state marker {document.Name} gen {document.Generation} step {document.Rotation?.Step}";
        crash.Before(effect);
        await markers.SaveMarkerAsync(document, index, cancellationToken).ConfigureAwait(false);
        crash.After(effect);
    }

    public IAsyncEnumerable<ConnectionIndex> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

    public Task<Connections.ConnectionDocument?> GetAsync(Connections.ConnectionName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

    public async Task SaveAsync(Connections.ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        var effect = $"state write {document.Name} gen {document.Generation} step {document.Rotation?.Step}";
        crash.Before(effect);
        await inner.SaveAsync(document, index, cancellationToken).ConfigureAwait(false);
        crash.After(effect);
    }

    public async Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        var effect = $"tag update {index.Name}";
        crash.Before(effect);
        await inner.UpdateIndexAsync(index, cancellationToken).ConfigureAwait(false);
        crash.After(effect);
    }

    public async Task UpdateIndexAsync(Connections.ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        var effect = $"tag update {index.Name}";
        crash.Before(effect);
        await ((IConnectionMarkerStore)inner).UpdateIndexAsync(document, index, cancellationToken).ConfigureAwait(false);
        crash.After(effect);
    }

    public async Task<bool> DeleteAsync(Connections.ConnectionName name, CancellationToken cancellationToken = default)
    {
        crash.Before($"state delete {name}");
        var deleted = await inner.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        crash.After($"state delete {name}");
        return deleted;
    }

    public Task<bool> IsDeletedAsync(Connections.ConnectionName name, CancellationToken cancellationToken = default) => inner.IsDeletedAsync(name, cancellationToken);

    public Task RecoverAsync(Connections.ConnectionName name, CancellationToken cancellationToken = default) => inner.RecoverAsync(name, cancellationToken);
}

internal sealed class CrashingConsumerPublisher(IConsumerPublisher inner, EngineCrash crash) : IConsumerPublisher
{
    public IConsumerPublisher Inner => inner;

    public async Task PublishAccessTokenAsync(Connections.ConnectionName name, string account, string accessToken, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        crash.Before($"consumer access token {name}");
        await inner.PublishAccessTokenAsync(name, account, accessToken, expiresAt, cancellationToken).ConfigureAwait(false);
        crash.After($"consumer access token {name}");
    }

    public async Task PublishTbaAsync(Connections.ConnectionName name, TbaProjection projection, CancellationToken cancellationToken = default)
    {
        crash.Before($"consumer TBA {name}");
        await inner.PublishTbaAsync(name, projection, cancellationToken).ConfigureAwait(false);
        crash.After($"consumer TBA {name}");
    }

    public Task<ConsumerProjection?> GetAsync(Connections.ConnectionName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

    public async Task<bool> DeleteAsync(Connections.ConnectionName name, CancellationToken cancellationToken = default)
    {
        crash.Before($"consumer delete {name}");
        var deleted = await inner.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        crash.After($"consumer delete {name}");
        return deleted;
    }
}

internal sealed class CrashingCertificateKeyStore(ICertificateKeyStore inner, EngineCrash crash) : ICertificateKeyStore
{
    public ICertificateKeyStore Inner => inner;

    public async Task<CertificateVersion> CreateVersionAsync(string certificateName, string subject, TimeSpan validity, CancellationToken cancellationToken = default)
    {
        crash.Before($"certificate version {certificateName}");
        var version = await inner.CreateVersionAsync(certificateName, subject, validity, cancellationToken).ConfigureAwait(false);
        crash.After($"certificate version {certificateName}");
        return version;
    }

    public NetSuite.Auth.OAuth2.Jwt.IJwtSigner CreateSigner(string certificateName, string version, string algorithm, string keyId) =>
        inner.CreateSigner(certificateName, version, algorithm, keyId);
}

internal sealed class CrashingJournal(ITokenJournal inner, EngineCrash crash) : ITokenJournal
{
    public async Task WriteAsync(TokenJournalEntry entry, CancellationToken cancellationToken = default)
    {
        crash.Before($"journal write {entry.Connection}");
        await inner.WriteAsync(entry, cancellationToken).ConfigureAwait(false);
        crash.After($"journal write {entry.Connection}");
    }

    public Task<TokenJournalEntry?> GetAsync(Connections.ConnectionName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

    public async Task DeleteAsync(Connections.ConnectionName name, CancellationToken cancellationToken = default)
    {
        crash.Before($"journal delete {name}");
        await inner.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        crash.After($"journal delete {name}");
    }
}

/// <summary>Outermost handler of every NetSuite client: a dead engine sends nothing; a crash after a call loses its answer.</summary>
internal sealed class CrashingHandler(EngineCrash crash) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var effect = $"netsuite {request.Method} {path.TrimStart('/')}";
        crash.Before(effect);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            crash.After($"{effect} -> {(int)response.StatusCode}");
        }
        catch
        {
            response.Dispose();
            throw;
        }

        return response;
    }
}

/// <summary>
/// The storage fault on leases: when <see cref="LoseNext"/> is set, the next lease taken is lost after a few
/// <see cref="ILease.EnsureHeld"/> checks (a renewal that failed, or a lease that expired during a long pause).
/// </summary>
public sealed class FlakyLeaseProvider(ILeaseProvider inner) : ILeaseProvider
{
    private int _loseAfterChecks;

    public int Lost { get; private set; }

    /// <summary>The next lease acquired is lost after <paramref name="checks"/> checks.</summary>
    public void LoseNext(int checks) => Volatile.Write(ref _loseAfterChecks, Math.Max(1, checks));

    public async Task<ILease?> TryAcquireAsync(string key, CancellationToken cancellationToken = default)
    {
        var lease = await inner.TryAcquireAsync(key, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return null;
        }

        var checks = Interlocked.Exchange(ref _loseAfterChecks, 0);
        if (checks == 0)
        {
            return lease;
        }

        Lost++;
        return new LosingLease(lease, checks);
    }

    private sealed class LosingLease(ILease inner, int checks) : ILease
    {
        private readonly CancellationTokenSource _lost = new();
        private int _left = checks;

        public string Key => inner.Key;

        public CancellationToken Lost => _lost.Token;

        public void EnsureHeld()
        {
            if (Interlocked.Decrement(ref _left) < 0)
            {
                _lost.Cancel();
                throw new LeaseLostException(Key);
            }

            inner.EnsureHeld();
        }

        public async ValueTask DisposeAsync()
        {
            _lost.Dispose();
            await inner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
