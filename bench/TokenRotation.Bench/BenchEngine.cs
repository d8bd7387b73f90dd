using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Keys;
using TokenRotation.Stores;

namespace TokenRotation.Bench;

/// <summary>
/// The engine composed as the Functions app composes it (<see cref="ServiceCollectionExtensions.AddTokenRotation"/>),
/// against the simulator and two Key Vault test servers in other processes. Leases, TOTP steps and the queue are the
/// in-memory ones (no Azurite here), wrapped to count lease operations; client-credentials keys are local PEM files.
/// </summary>
public sealed class BenchEngine : IAsyncDisposable
{
    private BenchEngine(ServiceProvider services, CountingLeaseProvider leases, KeyVaultCallCounter keyVaultCalls)
    {
        Services = services;
        Leases = leases;
        KeyVaultCalls = keyVaultCalls;
    }

    public ServiceProvider Services { get; }

    public CountingLeaseProvider Leases { get; }

    /// <summary>Logical Key Vault calls per secret name, both vaults (list pages under "").</summary>
    public KeyVaultCallCounter KeyVaultCalls { get; }

    public static BenchEngine Create(SimulatorProcess simulator, VaultProcess state, VaultProcess consumer, string folder, BenchSettings settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenRotation:PublicBaseUrl"] = "https://func-bench.example.net",
            ["TokenRotation:AccountConcurrency"] = settings.AccountCap.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["KeyVault:StateVaultUri"] = state.VaultUri.ToString(),
            ["KeyVault:ConsumerVaultUri"] = consumer.VaultUri.ToString(),
            ["KeyVault:WritesPer10Seconds"] = settings.WritesPer10Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["NetSuite:SuiteTalkUrlTemplate"] = simulator.SuiteTalkTemplate,
            ["NetSuite:RestletsUrlTemplate"] = simulator.RestletsTemplate,
            ["NetSuite:AppUrlTemplate"] = simulator.AppTemplate,
            ["Engine:WorkerParallelism"] = settings.Parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();

        var calls = new KeyVaultCallCounter();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTokenRotation(configuration, o => o.UseLocalKeys(folder));
        services.AddKeyedSingleton(StoresServiceCollectionExtensions.StateVaultKey, (_, _) => CreateClient(state, calls));
        services.AddKeyedSingleton(StoresServiceCollectionExtensions.ConsumerVaultKey, (_, _) => CreateClient(consumer, calls));
        services.AddSingleton(sp => new CountingLeaseProvider(new InMemoryLeaseProvider(sp.GetRequiredService<TimeProvider>(), new CoordinationOptions(), renewOnTimer: true, null)));
        services.Replace(ServiceDescriptor.Singleton<ILeaseProvider>(sp => sp.GetRequiredService<CountingLeaseProvider>()));
        services.Replace(ServiceDescriptor.Singleton<ITotpStepStore, InMemoryTotpStepStore>());
        services.Replace(ServiceDescriptor.Singleton<IConsentSessionStore, InMemoryConsentSessionStore>());
        services.AddSingleton<InMemoryWorkQueue>();
        services.Replace(ServiceDescriptor.Singleton<IWorkQueue>(sp => sp.GetRequiredService<InMemoryWorkQueue>()));
        var provider = services.BuildServiceProvider();
        return new BenchEngine(provider, provider.GetRequiredService<CountingLeaseProvider>(), calls);
    }

    public IConnectionStore Store => Services.GetRequiredService<IConnectionStore>();

    public SweepService Sweeps => Services.GetRequiredService<SweepService>();

    public LocalWorkDispatcher Dispatcher => new(
        Services.GetRequiredService<InMemoryWorkQueue>(),
        Services.GetRequiredService<AccountWorker>(),
        Services.GetRequiredService<IOptions<EngineOptions>>().Value.WorkerParallelism);

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    private static SecretClient CreateClient(VaultProcess vault, KeyVaultCallCounter calls)
    {
        var options = new SecretClientOptions { DisableChallengeResourceVerification = true, Transport = new HttpClientTransport(new HttpClient(vault.CreateHandler(), disposeHandler: true)) };
        options.AddPolicy(calls, HttpPipelinePosition.PerCall);
        return new SecretClient(vault.VaultUri, new StaticCredential(), options);
    }

    /// <summary>The test servers accept any bearer token.</summary>
    private sealed class StaticCredential : TokenCredential
    {
        private static readonly AccessToken Token = new("bench-token", DateTimeOffset.UtcNow.AddDays(1));

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => Token;

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(Token);
    }
}

/// <summary>Counts logical Key Vault calls (before the SDK's retries) per secret name.</summary>
public sealed class KeyVaultCallCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<string, long> _byName = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_byName, StringComparer.OrdinalIgnoreCase);

    public void Reset() => _byName.Clear();

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var segments = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var name = segments.Length >= 2 ? segments[1] : "";
        _byName.AddOrUpdate(name, 1, (_, n) => n + 1);
    }
}

/// <summary>Counts lease operations: acquisitions tried and leases released (renewals of in-memory leases touch no storage).</summary>
public sealed class CountingLeaseProvider(ILeaseProvider inner) : ILeaseProvider
{
    private long _acquires;
    private long _releases;

    public long Acquires => Interlocked.Read(ref _acquires);

    public long Releases => Interlocked.Read(ref _releases);

    public long Operations => Acquires + Releases;

    public async Task<ILease?> TryAcquireAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _acquires);
        var lease = await inner.TryAcquireAsync(key, cancellationToken).ConfigureAwait(false);
        return lease is null ? null : new CountingLease(lease, this);
    }

    private sealed class CountingLease(ILease inner, CountingLeaseProvider owner) : ILease
    {
        public string Key => inner.Key;

        public CancellationToken Lost => inner.Lost;

        public void EnsureHeld() => inner.EnsureHeld();

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref owner._releases);
            return inner.DisposeAsync();
        }
    }
}
