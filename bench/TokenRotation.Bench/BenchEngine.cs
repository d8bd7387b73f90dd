using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Testing.Shared;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Keys;
using TokenRotation.Stores;

namespace TokenRotation.Bench;

/// <summary>
/// The engine composed as the Functions app composes it (<see cref="ServiceCollectionExtensions.AddTokenRotation"/>),
/// against the simulator and two Key Vault test servers in other processes. Client-credentials keys are Key Vault
/// certificates in the state vault's test server, so every mint's <c>sign</c> call is a real, counted request. The
/// connection index is a table on Azurite. Leases are the in-memory ones (wrapped to count acquire and release), or with
/// <see cref="BenchSettings.Azurite"/> blob leases on Azurite (every lease request counted, renewals included). TOTP
/// steps, consent sessions and the queue are the in-memory ones.
/// </summary>
public sealed class BenchEngine : IAsyncDisposable
{
    private BenchEngine(ServiceProvider services, CountingLeaseProvider leases, KeyVaultCallCounter keyVaultCalls, BlobLeaseCallCounter? blobLeaseCalls)
    {
        Services = services;
        Leases = leases;
        KeyVaultCalls = keyVaultCalls;
        BlobLeaseCalls = blobLeaseCalls;
    }

    public ServiceProvider Services { get; }

    public CountingLeaseProvider Leases { get; }

    /// <summary>Logical Key Vault calls per vault, kind of call and name.</summary>
    public KeyVaultCallCounter KeyVaultCalls { get; }

    /// <summary>Blob lease requests by action, when the leases are on Azurite; otherwise null.</summary>
    public BlobLeaseCallCounter? BlobLeaseCalls { get; }

    /// <summary>Lease operations: blob lease requests on Azurite (renewals included), else acquires and releases.</summary>
    public long LeaseOperations => BlobLeaseCalls?.Total ?? Leases.Operations;

    public static BenchEngine Create(SimulatorProcess simulator, VaultProcess state, VaultProcess consumer, BenchSettings settings, AzuriteProcess azurite)
    {
        // The test world's settings (Testing.Shared), with the bench's own concurrency, write budget and parallelism.
        var values = WorldSettings.Engine(
            "https://func-bench.example.net", state.VaultUri, consumer.VaultUri, azurite.ConnectionString, "benchindex" + Guid.NewGuid().ToString("N")[..12],
            simulator.SuiteTalkTemplate, simulator.RestletsTemplate, simulator.AppTemplate);
        values["TokenRotation:AccountConcurrency"] = settings.AccountCap.ToString(System.Globalization.CultureInfo.InvariantCulture);
        values["KeyVault:WritesPer10Seconds"] = settings.WritesPer10Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        values["Engine:WorkerParallelism"] = settings.Parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var calls = new KeyVaultCallCounter();
        var blobLeases = settings.Azurite ? new BlobLeaseCallCounter() : null;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddKeyedSingleton(StoresServiceCollectionExtensions.StateVaultKey, (_, _) => CreateClient(state, calls));
        services.AddKeyedSingleton(StoresServiceCollectionExtensions.ConsumerVaultKey, (_, _) => CreateClient(consumer, calls));
        services.AddSingleton(_ => CreateCertificateClient(state));
        services.AddSingleton(_ =>
        {
            var options = new KeyVaultSignClientOptions { Transport = new HttpClientTransport(new HttpClient(state.CreateHandler(), disposeHandler: true)) };
            options.AddPolicy(calls, HttpPipelinePosition.PerCall);
            return new KeyVaultSignClient(state.VaultUri, new StaticCredential(), options);
        });
        if (blobLeases is null)
        {
            services.AddSingleton(sp => new CountingLeaseProvider(new InMemoryLeaseProvider(sp.GetRequiredService<TimeProvider>(), new CoordinationOptions(), renewOnTimer: true, null)));
        }
        else
        {
            var blobOptions = new BlobClientOptions();
            blobOptions.AddPolicy(blobLeases, HttpPipelinePosition.PerCall);
            var container = new BlobServiceClient(azurite.ConnectionString, blobOptions).GetBlobContainerClient("bench-leases-" + Guid.NewGuid().ToString("N")[..12]);
            services.AddSingleton(sp => new CountingLeaseProvider(new BlobLeaseProvider(container, new CoordinationOptions(), sp.GetRequiredService<TimeProvider>())));
        }

        services.AddSingleton<ILeaseProvider>(sp => sp.GetRequiredService<CountingLeaseProvider>());
        services.AddSingleton<ITotpStepStore, InMemoryTotpStepStore>();
        services.AddSingleton<IConsentSessionStore, InMemoryConsentSessionStore>();
        services.AddSingleton<InMemoryWorkQueue>();
        services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<InMemoryWorkQueue>());

        // Registered before the one entry point, which only adds what is missing, so these are kept.
        services.AddTokenRotation(configuration);
        var provider = services.BuildServiceProvider();
        return new BenchEngine(provider, provider.GetRequiredService<CountingLeaseProvider>(), calls, blobLeases);
    }

    /// <summary>A certificate client on the state vault's test server, for seeding client-credentials keys.</summary>
    public static CertificateClient CreateCertificateClient(VaultProcess vault)
    {
        var options = new CertificateClientOptions { DisableChallengeResourceVerification = true, Transport = new HttpClientTransport(new HttpClient(vault.CreateHandler(), disposeHandler: true)) };
        return new CertificateClient(vault.VaultUri, new StaticCredential(), options);
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

/// <summary>What a Key Vault request did, as the client sent it.</summary>
public enum KeyVaultCall
{
    Read,
    ListPage,
    Set,
    TagUpdate,
    Delete,
    Sign,
    Other,
}

/// <summary>Counts logical Key Vault calls (before the SDK's retries) per vault, kind of call and secret (or key) name.</summary>
public sealed class KeyVaultCallCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<(string Vault, KeyVaultCall Call, string Name), long> _calls = new();

    /// <summary>Calls per secret name, both vaults and every kind of call (list pages under "").</summary>
    public IReadOnlyDictionary<string, long> Snapshot() =>
        _calls.GroupBy(c => c.Key.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Value), StringComparer.OrdinalIgnoreCase);

    /// <summary>Calls per vault (its host and port), kind of call and name.</summary>
    public IReadOnlyDictionary<(string Vault, KeyVaultCall Call, string Name), long> ByCall() => new Dictionary<(string, KeyVaultCall, string), long>(_calls);

    public void Reset() => _calls.Clear();

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var uri = message.Request.Uri;
        var segments = uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var name = segments.Length >= 2 ? segments[1].ToLowerInvariant() : "";
        var method = message.Request.Method;
        var call = segments switch
        {
            ["keys", _, _, "sign"] when method == RequestMethod.Post => KeyVaultCall.Sign,
            ["secrets"] or ["secrets", _, "versions"] or ["deletedsecrets"] or ["certificates"] => KeyVaultCall.ListPage,
            ["secrets", ..] when method == RequestMethod.Get => KeyVaultCall.Read,
            ["secrets", _] when method == RequestMethod.Put => KeyVaultCall.Set,
            ["secrets", ..] when method == RequestMethod.Patch => KeyVaultCall.TagUpdate,
            ["secrets", _] when method == RequestMethod.Delete => KeyVaultCall.Delete,
            _ => KeyVaultCall.Other,
        };
        _calls.AddOrUpdate(($"{uri.Host}:{uri.Port}", call, name), 1, (_, n) => n + 1);
    }
}

/// <summary>Counts blob lease requests by action (acquire, renew, release, break, change), from the <c>x-ms-lease-action</c> header.</summary>
public sealed class BlobLeaseCallCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<string, long> _byAction = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_byAction, StringComparer.OrdinalIgnoreCase);

    public long Total => _byAction.Values.Sum();

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Request.Headers.TryGetValue("x-ms-lease-action", out var action))
        {
            _byAction.AddOrUpdate(action, 1, (_, n) => n + 1);
        }
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
