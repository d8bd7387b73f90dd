using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Auth.OAuth2;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Stores;

namespace TokenRotation.Bench;

public sealed record BenchSettings
{
    /// <summary>Connection counts to measure.</summary>
    public IReadOnlyList<int> Connections { get; init; } = [1_000, 10_000];

    public int Accounts { get; init; } = 1_000;

    /// <summary>NetSuite latency the simulator adds to every call.</summary>
    public int NetSuiteLatencyMs { get; init; } = 150;

    /// <summary>Latency each Key Vault test server adds to every request.</summary>
    public int KeyVaultLatencyMs { get; init; } = 20;

    /// <summary>Key Vault's budgets per 10 seconds, enforced by the test servers while measuring.</summary>
    public int ReadBudget { get; init; } = 4_000;

    public int WriteBudget { get; init; } = 300;

    /// <summary>The engine's client-side write limiter per vault (KeyVault:WritesPer10Seconds).</summary>
    public int WritesPer10Seconds { get; init; } = 290;

    /// <summary>Engine:WorkerParallelism: accounts worked on at once.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>TokenRotation:AccountConcurrency: NetSuite calls at once per account.</summary>
    public int AccountCap { get; init; } = 1;

    public static BenchSettings Smoke { get; } = new()
    {
        Connections = [100],
        Accounts = 10,
        NetSuiteLatencyMs = 0,
        KeyVaultLatencyMs = 0,
        Parallelism = 4,
    };
}

/// <summary>Request counts of one sweep (deterministic) and, for the all-due sweep, its timing.</summary>
public sealed record SweepFigures(
    VaultCounters State,
    VaultCounters Consumer,
    long LeaseOperations,
    long NetSuiteCalls,
    int MaxConcurrencyPerAccount,
    TimeSpan Wall,
    SweepResult Sweep,
    IReadOnlyDictionary<OutcomeKind, int> Outcomes,
    long PeakWorkingSetBytes);

public sealed record IdealFigures(double LatencyBoundSeconds, double ReadBoundSeconds, double WriteBoundSeconds, string SlowestAccount)
{
    public double IdealSeconds => Math.Max(LatencyBoundSeconds, Math.Max(ReadBoundSeconds, WriteBoundSeconds));

    public string Binding => IdealSeconds == WriteBoundSeconds ? "write budget" : IdealSeconds == ReadBoundSeconds ? "read budget" : "latency";
}

public sealed record BenchRow(int Connections, int Accounts, string Mix, SweepFigures NothingDue, SweepFigures AllDue, IdealFigures Ideal, BenchSettings Settings, TimeSpan SeedTime)
{
    public int ExpectedListPages => (Connections + 24) / 25;

    public double Ratio => AllDue.Wall.TotalSeconds / Ideal.IdealSeconds;
}

/// <summary>
/// The scale benchmark: for each N, fresh simulator and vault processes, N connections seeded over the accounts,
/// then an all-due sweep (the daily sweep with every connection due) and a nothing-due sweep, measured.
/// </summary>
public static class ScaleBenchmark
{
    /// <summary>What "due" means per kind in the all-due sweep.</summary>
    public const string DueDefinition =
        "TBA: the token is 91 days old, so the daily sweep rotates it (issue, verify, promote; retire waits for the grace period). "
        + "OAuth 2.0 confidential and public clients: no access token published yet, so they refresh (a public client persists its new refresh token first). "
        + "Client credentials: no access token yet, so they mint one (ES256 assertion signed with a local key).";

    public static async Task<IReadOnlyList<BenchRow>> RunAsync(BenchSettings settings, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var rows = new List<BenchRow>();
        foreach (var n in settings.Connections)
        {
            rows.Add(await RunOneAsync(n, settings, log, cancellationToken).ConfigureAwait(false));
        }

        return rows;
    }

    private static async Task<BenchRow> RunOneAsync(int n, BenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        var accounts = Math.Min(settings.Accounts, n);
        var folder = Directory.CreateTempSubdirectory("nstoken-bench-").FullName;
        try
        {
            log.WriteLine($"N = {n:N0} connections over {accounts:N0} accounts: starting the simulator and two Key Vault test servers ...");
            var simulatorTask = SimulatorProcess.StartAsync();
            var stateTask = VaultProcess.StartAsync(Path.Combine(folder, "state.pem"));
            var consumerTask = VaultProcess.StartAsync(Path.Combine(folder, "consumer.pem"));
            await using var simulator = await simulatorTask.ConfigureAwait(false);
            await using var stateVault = await stateTask.ConfigureAwait(false);
            await using var consumerVault = await consumerTask.ConfigureAwait(false);

            var seedWatch = Stopwatch.StartNew();
            var seeded = await SeedSimulatorAsync(simulator, n, accounts).ConfigureAwait(false);
            var mix = Mix(seeded);
            log.WriteLine($"  seeded {seeded.Count:N0} connections in the simulator ({mix}) in {seedWatch.Elapsed.TotalSeconds:0.0} s");

            await using var engine = BenchEngine.Create(simulator, stateVault, consumerVault, folder, settings);
            var names = await ImportAsync(engine, seeded, folder, cancellationToken).ConfigureAwait(false);
            seeded = [];
            log.WriteLine($"  imported them into the state vault in {seedWatch.Elapsed.TotalSeconds:0.0} s (budgets off while seeding)");

            await stateVault.SetBudgetsAsync(settings.ReadBudget, settings.WriteBudget).ConfigureAwait(false);
            await consumerVault.SetBudgetsAsync(settings.ReadBudget, settings.WriteBudget).ConfigureAwait(false);
            await stateVault.SetLatencyAsync(settings.KeyVaultLatencyMs).ConfigureAwait(false);
            await consumerVault.SetLatencyAsync(settings.KeyVaultLatencyMs).ConfigureAwait(false);
            await simulator.SetLatencyAsync(settings.NetSuiteLatencyMs).ConfigureAwait(false);

            // The servers' throttle windows are fixed 10-second windows that started while seeding: let them end.
            await Task.Delay(TimeSpan.FromSeconds(11), cancellationToken).ConfigureAwait(false);

            log.WriteLine($"  all-due sweep (NetSuite {settings.NetSuiteLatencyMs} ms, Key Vault {settings.KeyVaultLatencyMs} ms, budgets {settings.ReadBudget} reads and {settings.WriteBudget} writes per 10 s, parallelism {settings.Parallelism}, cap {settings.AccountCap}) ...");
            var allDue = await MeasureAsync(engine, simulator, stateVault, consumerVault, startRotations: true, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"  all-due: {allDue.Wall.TotalSeconds:0.0} s, {allDue.Sweep.Due:N0} due, outcomes {string.Join(", ", allDue.Outcomes.Select(o => $"{o.Key} {o.Value}"))}");
            var ideal = Ideal(allDue, engine.KeyVaultCalls.Snapshot(), await simulator.ConcurrencyAsync().ConfigureAwait(false), names, settings);

            var nothingDue = await MeasureAsync(engine, simulator, stateVault, consumerVault, startRotations: false, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"  nothing-due: {nothingDue.State.ListPages} list pages, {nothingDue.State.Reads + nothingDue.Consumer.Reads} reads, {nothingDue.State.AllWrites + nothingDue.Consumer.AllWrites} writes, {nothingDue.LeaseOperations} lease operations");
            return new BenchRow(n, accounts, mix, nothingDue, allDue, ideal, settings, seedWatch.Elapsed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Seeds the simulator with a 30/30/20/20 mix (TBA, confidential, public, client credentials) spread evenly over the
    /// accounts: with 4 or more connections per account every account gets the mix; with one per account, the accounts
    /// are split by kind.
    /// </summary>
    private static async Task<List<SeededConnection>> SeedSimulatorAsync(SimulatorProcess simulator, int n, int accounts)
    {
        if (n % accounts != 0)
        {
            throw new ArgumentException($"N ({n}) must be a multiple of the account count ({accounts}).");
        }

        var perAccount = n / accounts;
        if (perAccount >= 10 && perAccount % 10 == 0)
        {
            return [.. await simulator.SeedAsync(new { accounts, connectionsPerAccount = perAccount, accountPrefix = "7", concurrencyLimit = 5 }).ConfigureAwait(false)];
        }

        if (perAccount != 1 || accounts % 10 != 0)
        {
            throw new ArgumentException("Use 10, 20, ... connections per account, or one per account with a multiple of 10 accounts.");
        }

        var result = new List<SeededConnection>();
        (string Prefix, int Share, bool Tba, bool Confidential, bool Public, bool Credentials)[] parts =
        [
            ("71", 3, true, false, false, false), ("72", 3, false, true, false, false), ("73", 2, false, false, true, false), ("74", 2, false, false, false, true),
        ];
        foreach (var part in parts)
        {
            result.AddRange(await simulator.SeedAsync(new
            {
                accounts = accounts / 10 * part.Share,
                connectionsPerAccount = 1,
                accountPrefix = part.Prefix,
                concurrencyLimit = 5,
                includeTba = part.Tba,
                includeOAuth2Confidential = part.Confidential,
                includeOAuth2Public = part.Public,
                includeClientCredentials = part.Credentials,
            }).ConfigureAwait(false));
        }

        return result;
    }

    private static string Mix(IReadOnlyList<SeededConnection> seeded) =>
        string.Join(", ", seeded.GroupBy(s => s.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count() * 100.0 / seeded.Count:0}%"));

    /// <summary>Writes the connection documents straight into the state vault (what `nstoken import` stores), in parallel.</summary>
    private static async Task<Dictionary<string, string>> ImportAsync(BenchEngine engine, IReadOnlyList<SeededConnection> seeded, string folder, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var rotation = new Configuration.RotationOptions();
        var accountsByName = new Dictionary<string, string>(StringComparer.Ordinal);
        var documents = new List<ConnectionDocument>(seeded.Count);
        for (var i = 0; i < seeded.Count; i++)
        {
            var s = seeded[i];
            var name = $"c{i:D5}";
            var document = Document(name, s, now, folder);
            accountsByName[name] = document.Account;
            documents.Add(document);
        }

        // Seeding is not measured: the same store class, without the client-side write limiter.
        var store = new KeyVaultConnectionStore(
            engine.Services.GetRequiredKeyedService<Azure.Security.KeyVault.Secrets.SecretClient>(StoresServiceCollectionExtensions.StateVaultKey), Polly.ResiliencePipeline.Empty);
        await Parallel.ForEachAsync(documents, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (document, ct) =>
        {
            document.Generation = 1;
            await store.SaveAsync(document, Scheduler.Index(document, rotation), ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return accountsByName;
    }

    private static ConnectionDocument Document(string name, SeededConnection s, DateTimeOffset now, string folder)
    {
        var account = NetSuite.Auth.NetSuiteAccountId.Parse(s.Account).Realm;
        var role = s.RoleId.ToString(CultureInfo.InvariantCulture);
        var entity = s.EntityId.ToString(CultureInfo.InvariantCulture);
        switch (s.Kind)
        {
            case "Tba":
                return new ConnectionDocument
                {
                    Name = name,
                    Kind = ConnectionKind.Tba,
                    Account = account,
                    CreatedAt = now,
                    Tba = new TbaDefinition
                    {
                        ConsumerKey = s.ClientId,
                        ConsumerSecret = s.ClientSecret!,
                        User = new RotationUser { Email = s.Email, Password = s.Password, TotpSecret = s.TotpSecret, RoleId = role },
                        ExpectedRoleId = role,
                        ExpectedEntityId = entity,
                    },
                    Credentials = new CredentialSlots { Current = new RotatedCredential { Id = s.TokenId!, Secret = s.TokenSecret, Name = "seeded", IssuedAt = now - TimeSpan.FromDays(91) } },
                };
            case "OAuth2Confidential" or "OAuth2Public":
                var isPublic = s.Kind == "OAuth2Public";
                var facts = NetSuiteTokenFacts.Read(s.RefreshToken!);
                return new ConnectionDocument
                {
                    Name = name,
                    Kind = ConnectionKind.OAuth2AuthorizationCode,
                    Account = account,
                    CreatedAt = now,
                    OAuth2 = new OAuth2Definition
                    {
                        ClientId = s.ClientId,
                        ClientSecret = isPublic ? null : s.ClientSecret,
                        IsPublicClient = isPublic,
                        RedirectUri = "https://localhost/netsuite/callback",
                        RefreshToken = s.RefreshToken,
                        RefreshTokenExpiresAt = facts.ExpiresAt,
                        RefreshTokenIssuedAt = facts.IssuedAt,
                        ChainEndsAt = isPublic ? (facts.OriginalIssuedAt ?? now) + TimeSpan.FromHours(168) : null,
                        ConsentedAt = now,
                        ExpectedRoleId = role,
                        ExpectedEntityId = entity,
                    },
                };
            case "ClientCredentials":
                var certificateName = SecretNames.Certificate(ConnectionName.Parse(name));
                var keyFolder = Path.Combine(folder, "keys", certificateName);
                Directory.CreateDirectory(keyFolder);
                File.WriteAllText(Path.Combine(keyFolder, "v1.key.pem"), s.PrivateKeyPem);
                return new ConnectionDocument
                {
                    Name = name,
                    Kind = ConnectionKind.OAuth2ClientCredentials,
                    Account = account,
                    CreatedAt = now,
                    ClientCredentials = new ClientCredentialsDefinition { ClientId = s.ClientId, RoleId = role, EntityId = entity, CertificateName = certificateName },
                    Credentials = new CredentialSlots { Current = new RotatedCredential { Id = s.CertificateId!, KeyVersion = "v1", Name = "seeded", IssuedAt = now, ExpiresAt = now + TimeSpan.FromDays(365) } },
                };
            default:
                throw new InvalidDataException($"Unknown seeded kind {s.Kind}.");
        }
    }

    private static async Task<SweepFigures> MeasureAsync(
        BenchEngine engine, SimulatorProcess simulator, VaultProcess stateVault, VaultProcess consumerVault, bool startRotations, CancellationToken cancellationToken)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        await simulator.ResetConcurrencyAsync().ConfigureAwait(false);
        engine.KeyVaultCalls.Reset();
        var stateBefore = await stateVault.CountersAsync().ConfigureAwait(false);
        var consumerBefore = await consumerVault.CountersAsync().ConfigureAwait(false);
        var leasesBefore = engine.Leases.Operations;

        using var sampler = new WorkingSetSampler();
        var watch = Stopwatch.StartNew();
        var sweep = await engine.Sweeps.SweepAsync(startRotations, cancellationToken).ConfigureAwait(false);
        var outcomes = await engine.Dispatcher.DrainAsync(cancellationToken).ConfigureAwait(false);
        watch.Stop();
        var peak = sampler.Stop();

        var stateAfter = await stateVault.CountersAsync().ConfigureAwait(false);
        var consumerAfter = await consumerVault.CountersAsync().ConfigureAwait(false);
        var concurrency = await simulator.ConcurrencyAsync().ConfigureAwait(false);
        return new SweepFigures(
            stateAfter - stateBefore,
            consumerAfter - consumerBefore,
            engine.Leases.Operations - leasesBefore,
            concurrency.Sum(c => c.Admitted + c.Rejected),
            concurrency.Count == 0 ? 0 : concurrency.Max(c => c.MaxSeen),
            watch.Elapsed,
            sweep,
            outcomes.GroupBy(o => o.Kind).ToDictionary(g => g.Key, g => g.Count()),
            peak);
    }

    /// <summary>
    /// The ideal of the issue: the largest of the latency bound (per account: its NetSuite calls x NetSuite latency plus
    /// its Key Vault calls x Key Vault latency, / the per-account cap; the slowest account, or the total / the
    /// parallelism if larger), the read budget bound (reads / 400 per s) and the write budget bound (writes / 30 per s),
    /// each budget per vault.
    /// </summary>
    private static IdealFigures Ideal(SweepFigures allDue, IReadOnlyDictionary<string, long> keyVaultCalls, IReadOnlyList<AccountConcurrency> netsuite, Dictionary<string, string> accounts, BenchSettings settings)
    {
        var perAccount = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var c in netsuite)
        {
            if (c.Admitted + c.Rejected > 0)
            {
                perAccount[NetSuite.Auth.NetSuiteAccountId.Parse(c.Account).Realm] = (c.Admitted + c.Rejected) * settings.NetSuiteLatencyMs / 1000.0;
            }
        }

        foreach (var (secret, count) in keyVaultCalls)
        {
            var connection = secret.StartsWith(SecretNames.ConnectionPrefix, StringComparison.OrdinalIgnoreCase) ? secret[SecretNames.ConnectionPrefix.Length..]
                : secret.StartsWith(SecretNames.ConsumerPrefix, StringComparison.OrdinalIgnoreCase) ? secret[SecretNames.ConsumerPrefix.Length..]
                : null;
            if (connection is not null && accounts.TryGetValue(connection, out var account))
            {
                perAccount[account] = perAccount.GetValueOrDefault(account) + (count * settings.KeyVaultLatencyMs / 1000.0);
            }
        }

        var slowest = perAccount.Count == 0 ? default : perAccount.MaxBy(p => p.Value);
        var latency = Math.Max(slowest.Value / settings.AccountCap, perAccount.Values.Sum() / settings.Parallelism);
        var readsPerSecond = settings.ReadBudget / 10.0;
        var writesPerSecond = settings.WriteBudget / 10.0;
        var reads = Math.Max(allDue.State.Reads + allDue.State.ListPages, allDue.Consumer.Reads + allDue.Consumer.ListPages) / readsPerSecond;
        var writes = Math.Max(allDue.State.AllWrites, allDue.Consumer.AllWrites) / writesPerSecond;
        return new IdealFigures(latency, reads, writes, slowest.Key ?? "-");
    }

    /// <summary>Samples this process's working set every 50 ms; the peak while the sweep ran.</summary>
    private sealed class WorkingSetSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public WorkingSetSampler()
        {
            Sample();
            _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
        }

        public long Stop()
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
            Sample();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            using var process = Process.GetCurrentProcess();
            var current = process.WorkingSet64;
            long seen;
            while ((seen = Interlocked.Read(ref _peak)) < current && Interlocked.CompareExchange(ref _peak, current, seen) != seen)
            {
            }
        }
    }
}
