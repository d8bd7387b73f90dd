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

    /// <summary>Blob leases on Azurite (every lease request counted, renewals included) instead of the in-memory leases.</summary>
    public bool Azurite { get; init; }

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

/// <summary>
/// One kind's Key Vault calls in the all-due sweep, as the engine sent them (client side, before the SDK's retries):
/// state-vault secret sets (each a version) and tag-only updates, value reads, consumer writes and <c>sign</c> calls.
/// </summary>
public sealed record KindFigures(string Kind, int Connections, long StateSets, long StateTagUpdates, long StateReads, long ConsumerWrites, long Signs)
{
    public double PerRun(long count) => Connections == 0 ? 0 : (double)count / Connections;

    /// <summary>State-vault writes per run (sets and tag updates: both spend the write budget).</summary>
    public double StateWritesPerRun => PerRun(StateSets + StateTagUpdates);
}

public sealed record BenchRow(
    int Connections, int Accounts, string Mix, SweepFigures NothingDue, SweepFigures AllDue, IdealFigures Ideal, BenchSettings Settings, TimeSpan SeedTime,
    IReadOnlyList<KindFigures> Kinds, IdealFigures FirstPrinciples, long LeaseRenewals)
{
    /// <summary>Key Vault list pages of a nothing-due sweep: none, the index is a Table storage query (architecture section 13).</summary>
    public int ExpectedListPages => 0;

    /// <summary>Wall time against the ideal of the requests the engine made (can't see a needless request).</summary>
    public double Ratio => AllDue.Wall.TotalSeconds / Ideal.IdealSeconds;

    /// <summary>Wall time against the first-principles ideal of the connection mix (architecture section 3, write budget).</summary>
    public double FirstPrinciplesRatio => AllDue.Wall.TotalSeconds / FirstPrinciples.IdealSeconds;
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
        + "Client credentials: no access token yet, so they mint one (ES256 assertion signed by Key Vault's `sign` on the state vault's test server).";

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
            // Table storage holds the connection index (architecture section 13); with --azurite the leases are blobs there too.
            await using var azurite = await AzuriteProcess.StartAsync().ConfigureAwait(false);

            var seedWatch = Stopwatch.StartNew();
            var seeded = await SeedSimulatorAsync(simulator, n, accounts).ConfigureAwait(false);
            var mix = Mix(seeded);
            log.WriteLine($"  seeded {seeded.Count:N0} connections in the simulator ({mix}) in {seedWatch.Elapsed.TotalSeconds:0.0} s");

            await using var engine = BenchEngine.Create(simulator, stateVault, consumerVault, settings, azurite);
            var (names, kinds) = await ImportAsync(engine, simulator, stateVault, seeded, cancellationToken).ConfigureAwait(false);
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
            var perKind = PerKind(engine.KeyVaultCalls.ByCall(), stateVault.VaultUri, kinds);
            var firstPrinciples = FirstPrinciplesIdeal(names, kinds, settings);
            var renewals = engine.BlobLeaseCalls?.Snapshot().GetValueOrDefault("renew") ?? 0;
            log.WriteLine($"  state-vault writes per run: {string.Join(", ", perKind.Select(k => $"{k.Kind} {k.StateWritesPerRun:0.##}"))}; first-principles ideal {firstPrinciples.IdealSeconds:0.0} s ({firstPrinciples.Binding})");

            var nothingDue = await MeasureAsync(engine, simulator, stateVault, consumerVault, startRotations: false, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"  nothing-due: {nothingDue.State.ListPages} list pages, {nothingDue.State.Reads + nothingDue.Consumer.Reads} reads, {nothingDue.State.AllWrites + nothingDue.Consumer.AllWrites} writes, {nothingDue.LeaseOperations} lease operations");
            return new BenchRow(n, accounts, mix, nothingDue, allDue, ideal, settings, seedWatch.Elapsed, perKind, firstPrinciples, renewals);
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

    /// <summary>
    /// Writes the connection documents straight into the state vault (what `nstoken import` stores), in parallel. A
    /// client-credentials connection gets a Key Vault certificate in the state vault (EC P-256, not exportable), mapped
    /// in the simulator as an administrator maps it in NetSuite, so that its mints sign through Key Vault.
    /// </summary>
    private static async Task<(Dictionary<string, string> Accounts, Dictionary<string, string> Kinds)> ImportAsync(
        BenchEngine engine, SimulatorProcess simulator, VaultProcess stateVault, IReadOnlyList<SeededConnection> seeded, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var rotation = new Configuration.RotationOptions();
        var accountsByName = new Dictionary<string, string>(StringComparer.Ordinal);
        var kindsByName = new Dictionary<string, string>(StringComparer.Ordinal);
        var work = new List<(string Name, SeededConnection Seeded)>(seeded.Count);
        for (var i = 0; i < seeded.Count; i++)
        {
            var name = $"c{i:D5}";
            accountsByName[name] = NetSuite.Auth.NetSuiteAccountId.Parse(seeded[i].Account).Realm;
            kindsByName[name] = seeded[i].Kind;
            work.Add((name, seeded[i]));
        }

        // Seeding is not measured: the same store classes (documents in the state vault, index rows in Table storage),
        // without the client-side write limiter.
        var store = new TableIndexedConnectionStore(
            new KeyVaultConnectionStore(
                engine.Services.GetRequiredKeyedService<Azure.Security.KeyVault.Secrets.SecretClient>(StoresServiceCollectionExtensions.StateVaultKey), Polly.ResiliencePipeline.Empty),
            engine.Services.GetRequiredService<Azure.Data.Tables.TableServiceClient>().GetTableClient(
                engine.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Coordination.CoordinationOptions>>().Value.IndexTable));
        var keys = new Keys.KeyVaultCertificateKeyStore(BenchEngine.CreateCertificateClient(stateVault), engine.Services.GetRequiredService<Keys.KeyVaultSignClient>());
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            Keys.CertificateVersion? certificate = null;
            string? certificateId = null;
            if (item.Seeded.Kind == "ClientCredentials")
            {
                var certificateName = SecretNames.Certificate(ConnectionName.Parse(item.Name));
                certificate = await keys.CreateVersionAsync(certificateName, $"nstoken {item.Name}", TimeSpan.FromDays(365), ct).ConfigureAwait(false);
                certificateId = await simulator.MapCertificateAsync(item.Seeded.Account, item.Seeded.ClientId, item.Seeded.Email, item.Seeded.RoleId, certificate.CertificatePem).ConfigureAwait(false);
            }

            var document = Document(item.Name, item.Seeded, now, certificate, certificateId);
            document.Generation = 1;
            await store.SaveAsync(document, Scheduler.Index(document, rotation), ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return (accountsByName, kindsByName);
    }

    private static ConnectionDocument Document(string name, SeededConnection s, DateTimeOffset now, Keys.CertificateVersion? certificate, string? certificateId)
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
                return new ConnectionDocument
                {
                    Name = name,
                    Kind = ConnectionKind.OAuth2ClientCredentials,
                    Account = account,
                    CreatedAt = now,
                    ClientCredentials = new ClientCredentialsDefinition { ClientId = s.ClientId, RoleId = role, EntityId = entity, CertificateName = certificate!.CertificateName },
                    Credentials = new CredentialSlots
                    {
                        Current = new RotatedCredential { Id = certificateId!, KeyVersion = certificate.KeyVersion, Name = "seeded", IssuedAt = now, ExpiresAt = certificate.NotAfter },
                    },
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
        var leasesBefore = engine.LeaseOperations;

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
            engine.LeaseOperations - leasesBefore,
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

    /// <summary>The all-due sweep's Key Vault calls per kind, from the client-side counter (state vault told apart by its host and port).</summary>
    private static List<KindFigures> PerKind(IReadOnlyDictionary<(string Vault, KeyVaultCall Call, string Name), long> calls, Uri stateVault, Dictionary<string, string> kinds)
    {
        var state = $"{stateVault.Host}:{stateVault.Port}";
        var result = new List<KindFigures>();
        foreach (var kind in kinds.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            long Count(bool inState, KeyVaultCall call, string prefix) => calls
                .Where(c => c.Key.Call == call && (c.Key.Vault == state) == inState && c.Key.Name.StartsWith(prefix, StringComparison.Ordinal)
                    && kinds.TryGetValue(c.Key.Name[prefix.Length..], out var k) && k == kind)
                .Sum(c => c.Value);
            result.Add(new KindFigures(
                kind,
                kinds.Values.Count(k => k == kind),
                Count(true, KeyVaultCall.Set, SecretNames.ConnectionPrefix),
                Count(true, KeyVaultCall.TagUpdate, SecretNames.ConnectionPrefix),
                Count(true, KeyVaultCall.Read, SecretNames.ConnectionPrefix),
                Count(false, KeyVaultCall.Set, SecretNames.ConsumerPrefix),
                Count(true, KeyVaultCall.Sign, SecretNames.CertificatePrefix)));
        }

        return result;
    }

    /// <summary>
    /// State-vault writes a due run needs from first principles (issue 19; architecture section 3): a confidential
    /// refresh and a client-credentials mint change no durable secret (their access token goes to the consumer vault);
    /// a public refresh must keep its new single-use refresh token; a TBA rotation must keep the pending token's secret
    /// (seen once) and then promote it.
    /// </summary>
    public static int FirstPrinciplesStateWrites(string kind) => kind switch
    {
        "Tba" => 2,
        "OAuth2Public" => 1,
        _ => 0,
    };

    /// <summary>NetSuite calls a due run needs: a TBA rotation issues and verifies (tokeninfo); the others make one call.</summary>
    public static int FirstPrinciplesNetSuiteCalls(string kind) => kind == "Tba" ? 2 : 1;

    /// <summary>
    /// The ideal of the work itself, computed from the connection mix and never from counters: per due connection one
    /// state-vault value read, the kind's first-principles state writes, one consumer write and, for client credentials,
    /// one <c>sign</c> (it spends the state vault's 4,000 per 10 s of key transactions, counted with the reads here);
    /// the index costs one list page per 25 connections. Bounds as in <see cref="Ideal"/>: the latency bound per account
    /// (its NetSuite calls x NetSuite latency plus its Key Vault calls x Key Vault latency, / the cap; the slowest
    /// account, or the total / the parallelism if larger), the read budget and the write budget of each vault.
    /// </summary>
    public static IdealFigures FirstPrinciplesIdeal(IReadOnlyDictionary<string, string> accounts, IReadOnlyDictionary<string, string> kinds, BenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentNullException.ThrowIfNull(settings);
        var perAccount = new Dictionary<string, double>(StringComparer.Ordinal);
        long stateWrites = 0, stateReads = 0, consumerWrites = 0;
        foreach (var (name, kind) in kinds)
        {
            var writes = FirstPrinciplesStateWrites(kind);
            var signs = kind == "ClientCredentials" ? 1 : 0;
            stateWrites += writes;
            stateReads += 1 + signs;
            consumerWrites += 1;
            var keyVaultCalls = 1 + writes + 1 + signs;
            var seconds = ((FirstPrinciplesNetSuiteCalls(kind) * settings.NetSuiteLatencyMs) + (keyVaultCalls * settings.KeyVaultLatencyMs)) / 1000.0;
            var account = accounts[name];
            perAccount[account] = perAccount.GetValueOrDefault(account) + seconds;
        }

        stateReads += (kinds.Count + 24) / 25;
        var slowest = perAccount.Count == 0 ? default : perAccount.MaxBy(p => p.Value);
        var latency = Math.Max(slowest.Value / settings.AccountCap, perAccount.Values.Sum() / settings.Parallelism);
        var reads = stateReads / (settings.ReadBudget / 10.0);
        var writesBound = Math.Max(stateWrites, consumerWrites) / (settings.WriteBudget / 10.0);
        return new IdealFigures(latency, reads, writesBound, slowest.Key ?? "-");
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
