using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure;
using KeyVault.TestServer;
using NetSuite.Auth;
using NetSuite.Auth.KeyVault;
using NetSuite.Auth.OAuth2;
using NetSuite.Auth.Tba;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Stores;
using SimTotp = NetSuite.Simulator.Protocol.Totp;

namespace TokenRotation.Bench.Soak;

/// <summary>
/// The chaos soak: the real engine against the simulator and the Key Vault test servers on one fake clock for many
/// simulated days, with faults, process crashes and people's actions drawn from a seed, a consumer calling NetSuite
/// with each connection's published credential every tick, and every invariant checked after every tick.
/// </summary>
public sealed partial class SoakRunner
{
    private const int TrailLength = 300;
    private static readonly TimeSpan TransientWindow = TimeSpan.FromHours(2);

    private readonly SoakSettings _settings;
    private readonly TextWriter _out;
    private readonly Random _random;
    private readonly List<SoakConnection> _connections = [];
    private readonly List<Cause> _causes = [];
    private readonly Queue<string> _trail = new();
    private readonly List<string> _violations = [];
    private readonly List<string> _canaries = [];
    private readonly Dictionary<string, int> _faultsByKind = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Connection, DateTimeOffset RetireAfter)> _previous = new(StringComparer.Ordinal);
    private readonly List<ScheduledAction> _scheduled = [];
    private SoakWorld _world = null!;
    private HttpClient _http = null!;
    private KeyVaultCredentialReader _consumerReader = null!;
    private TbaSigner _signer = null!;
    private int _alarmsSeen;
    private int _logLinesScanned;
    private int _crashes;
    private int _consumerCalls;
    private int _consumerFailures;
    private int _unexplained;
    private int _personNeededEvents;
    private int _personNeededExplained;
    private readonly Dictionary<string, int> _personNeededByCause = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _escaped = new(StringComparer.Ordinal);
    private int _stepViolations;

    private SoakRunner(SoakSettings settings, TextWriter output)
    {
        _settings = settings;
        _out = output;
        _random = new Random(settings.Seed);
    }

    public static async Task<SoakResult> RunAsync(SoakSettings settings, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        var runner = new SoakRunner(settings, output);
        return await runner.RunAsync().ConfigureAwait(false);
    }

    private DateTimeOffset Now => _world.Time.GetUtcNow();

    private async Task<SoakResult> RunAsync()
    {
        var wall = Stopwatch.StartNew();
        await using var world = await SoakWorld.StartAsync().ConfigureAwait(false);
        _world = world;
        using var http = new HttpClient();
        _http = http;
        _consumerReader = new KeyVaultCredentialReader(world.ConsumerVault.CreateSecretClient());
        _signer = new TbaSigner(new RandomTbaNonceSource(), world.Time);

        await SeedAsync().ConfigureAwait(false);
        Note($"seeded {_connections.Count} connections over {_settings.Accounts} accounts (seed {_settings.Seed})");

        var stepsPerDay = (int)(TimeSpan.FromDays(1) / _settings.Step);
        var totalSteps = stepsPerDay * _settings.Days;
        var stopped = false;
        for (var step = 1; step <= totalSteps && !stopped; step++)
        {
            world.Time.Advance(_settings.Step);
            var now = Now;
            var daily = now.Hour == 14 && now.Minute < _settings.Step.TotalMinutes;
            var people = new List<Func<Task>>();
            InjectFaults(stepsPerDay);
            await RunScheduledAsync(people).ConfigureAwait(false);
            DrawPeopleActions(stepsPerDay, people);
            await TickAsync(daily, people).ConfigureAwait(false);
            await ConsentWhereAskedAsync().ConfigureAwait(false);
            await ConsumerPassAsync().ConfigureAwait(false);
            await CheckInvariantsAsync().ConfigureAwait(false);

            if (step % stepsPerDay == 0)
            {
                CheckLogs();
                CheckVersions(step / stepsPerDay);
                _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"soak day {step / stepsPerDay}/{_settings.Days} ({wall.Elapsed.TotalSeconds:0} s): {Faults} faults, {_crashes} crashes, {_violations.Count} violations, {_unexplained} unexplained consumer failures of {_consumerFailures} ({_consumerCalls} calls), {_personNeededEvents} person-needed events"));
            }

            if (_stepViolations > 0)
            {
                ReportViolations(step);
                _stepViolations = 0;
                stopped = !_settings.KeepGoing;
            }
        }

        CheckLogs();
        var days = stopped ? (int)((Now - SoakWorld.Start) / TimeSpan.FromDays(1)) : _settings.Days;
        var result = new SoakResult(
            _settings, days, _connections.Count, Faults, _crashes, _violations.Count, _unexplained, _consumerCalls, _consumerFailures,
            new Dictionary<string, int>(_faultsByKind, StringComparer.Ordinal), _personNeededEvents, _personNeededExplained,
            new Dictionary<string, int>(_personNeededByCause, StringComparer.Ordinal), new Dictionary<string, int>(_escaped, StringComparer.Ordinal),
            VersionFigures(), StateWriteReasons.Of(_world.StateVault.State), _violations.ToList(), wall.Elapsed);
        _out.WriteLine(result.SummaryLine);
        return result;
    }

    private int Faults => _faultsByKind.Values.Sum();

    // ------------------------------------------------------------------ the world

    private async Task SeedAsync()
    {
        var state = _world.Simulator.State;
        for (var a = 0; a < _settings.Accounts; a++)
        {
            var account = string.Create(CultureInfo.InvariantCulture, $"{7100000 + a}_SB1");
            state.AddAccount(account, concurrencyLimit: 5);
            state.AddRole(account, 1000, "Integration Role", twoFactorRequired: true);
            var user = new SoakUser($"integration{a}@example.com", Canary(), Remember(SimTotp.NewSecret()));
            state.AddUser(account, user.Email, user.Password, user.TotpSecret, 1000);
            state.SetConsentUser(account, user.Email, 1000);

            // A 10-day rotation interval on the first account's TBA connections, so scheduled rotations, grace and
            // retirement happen inside a short soak; the default 90 days elsewhere.
            await AddTbaAsync($"tba-{a}a", account, user, a == 0 ? TimeSpan.FromDays(10) : null).ConfigureAwait(false);
            if (a == 0)
            {
                // A second TBA connection on the same NetSuite user: their logins share one TOTP sequence.
                await AddTbaAsync($"tba-{a}b", account, user, TimeSpan.FromDays(7)).ConfigureAwait(false);
            }

            await AddAuthorizationCodeAsync($"conf-{a}", account, publicClient: false).ConfigureAwait(false);
            await AddAuthorizationCodeAsync($"pub-{a}", account, publicClient: true).ConfigureAwait(false);
            await AddClientCredentialsAsync($"m2m-{a}", account, user).ConfigureAwait(false);
        }
    }

    private SimIntegration Integration(string account, bool publicClient = false) =>
        _world.Simulator.State.AddIntegration(account, new IntegrationSpec
        {
            ClientSecret = Canary(),
            PublicClient = publicClient,
            RedirectUris = [SoakWorld.RedirectUri],
        });

    private async Task AddTbaAsync(string name, string account, SoakUser user, TimeSpan? interval)
    {
        var integration = Integration(account);
        var token = _world.Simulator.State.IssueTbaToken(account, integration.ConsumerKey, user.Email, 1000, name: $"{name} made in the UI");
        var outcome = await _world.Import.ImportAsync(new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.Tba,
            Account = account,
            Policy = new ConnectionPolicy { TbaRotationInterval = interval },
            Tba = new TbaDefinition
            {
                ConsumerKey = integration.ConsumerKey,
                ConsumerSecret = integration.ConsumerSecret,
                User = new RotationUser { Email = user.Email, Password = user.Password, TotpSecret = user.TotpSecret, RoleId = "1000" },
            },
            Credentials = new CredentialSlots { Current = new RotatedCredential { Id = token.TokenId, Secret = token.TokenSecret, Name = token.Name, IssuedAt = Now } },
        }, dryRun: false).ConfigureAwait(false);
        Require(outcome, name);
        _connections.Add(new SoakConnection(name, ConnectionKind.Tba, account, integration, false, user));
    }

    private async Task AddAuthorizationCodeAsync(string name, string account, bool publicClient)
    {
        var integration = Integration(account, publicClient);
        var outcome = await _world.Import.ImportAsync(new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = account,
            OAuth2 = new OAuth2Definition
            {
                ClientId = integration.ClientId,
                ClientSecret = publicClient ? null : integration.ClientSecret,
                IsPublicClient = publicClient,
                RedirectUri = SoakWorld.RedirectUri,
            },
        }, dryRun: false).ConfigureAwait(false);
        Require(outcome, name);
        var connection = new SoakConnection(name, ConnectionKind.OAuth2AuthorizationCode, account, integration, publicClient, null);
        _connections.Add(connection);
        var consent = await ConsentAsync(connection).ConfigureAwait(false);
        Require(consent, name + " consent");
    }

    private async Task AddClientCredentialsAsync(string name, string account, SoakUser user)
    {
        var integration = Integration(account);
        var certificateName = $"cert-{name}";

        // 45 days: the certificate's renewal (30 days before it ends) falls inside a 30-day soak.
        var version = await _world.CertificateKeys.CreateVersionAsync(certificateName, $"nstoken {name}", TimeSpan.FromDays(45)).ConfigureAwait(false);
        var certificate = (await _world.Certificates.GetCertificateVersionAsync(certificateName, version.Version).ConfigureAwait(false)).Value;
        var keyVersion = certificate.KeyId.Segments[^1].TrimEnd('/');
        using var x509 = X509Certificate2.CreateFromPem(version.CertificatePem);
        var mapped = _world.Simulator.State.AddCertificate(account, integration.ClientId, user.Email, 1000, x509);
        var entity = _world.Simulator.State.GetUser(account, user.Email).EntityId;
        var outcome = await _world.Import.ImportAsync(new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2ClientCredentials,
            Account = account,
            ClientCredentials = new ClientCredentialsDefinition
            {
                ClientId = integration.ClientId,
                RoleId = "1000",
                EntityId = entity.ToString(CultureInfo.InvariantCulture),
                CertificateName = certificateName,
            },
            Credentials = new CredentialSlots
            {
                Current = new RotatedCredential { Id = mapped.CertificateId, KeyVersion = keyVersion, IssuedAt = Now, ExpiresAt = version.NotAfter },
            },
        }, dryRun: false).ConfigureAwait(false);
        Require(outcome, name);
        _connections.Add(new SoakConnection(name, ConnectionKind.OAuth2ClientCredentials, account, integration, false, user));
    }

    private static void Require(ConnectionOutcome outcome, string what)
    {
        if (outcome.Kind != OutcomeKind.Succeeded)
        {
            throw new InvalidOperationException($"Seeding {what}: {outcome.Kind} {outcome.Message}");
        }
    }

    /// <summary>A person consents in the simulator's authorize page (auto-approve), and the engine completes it.</summary>
    private async Task<ConnectionOutcome> ConsentAsync(SoakConnection connection)
    {
        var simulator = _world.Simulator;
        simulator.Modes.Consent = ConsentMode.AutoApprove;
        var pkce = Pkce.Create();
        var state = NetSuiteAuthorizeUrl.CreateState();
        var url = NetSuiteAuthorizeUrl.Build(new Uri(simulator.AuthorizeUrl(connection.Account)), new NetSuiteAuthorizeRequest
        {
            ClientId = connection.Integration.ClientId,
            RedirectUri = new Uri(SoakWorld.RedirectUri),
            Scopes = NetSuiteScopeValues.Parse("rest_webservices"),
            State = state,
            CodeChallenge = pkce.CodeChallenge,
        });
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var http = new HttpClient(handler);
        using var response = await http.GetAsync(url).ConfigureAwait(false);
        var location = response.Headers.Location;
        if (response.StatusCode != HttpStatusCode.Redirect || location is null)
        {
            return new ConnectionOutcome(connection.Name, OutcomeKind.Failed, $"authorize answered {(int)response.StatusCode}", ConnectionStatus.NeedsPerson, null, []);
        }

        var query = location.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);
        if (!query.TryGetValue("code", out var code))
        {
            return new ConnectionOutcome(connection.Name, OutcomeKind.Failed, $"authorize redirected with error {query.GetValueOrDefault("error")}", ConnectionStatus.NeedsPerson, null, []);
        }

        return await _world.Consents.CompleteConsentAsync(ConnectionName.Parse(connection.Name),
            new ConsentCompletion(code, pkce.CodeVerifier, query["company"], query["role"], query["entity"])).ConfigureAwait(false);
    }

    private string Canary() => Remember(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));

    private string Remember(string secret)
    {
        _canaries.Add(secret);
        return secret;
    }

    // ------------------------------------------------------------------ one tick

    /// <summary>The frequent sweep (and the daily one at 14:00), the queue drained, people's actions beside it.</summary>
    private async Task TickAsync(bool daily, List<Func<Task>> people)
    {
        var work = Task.Run(async () =>
        {
            await GuardAsync("sweep", async () => await _world.Sweeps.SweepAsync(startRotations: false).ConfigureAwait(false)).ConfigureAwait(false);
            if (daily)
            {
                await GuardAsync("daily sweep", async () => await _world.Sweeps.SweepAsync(startRotations: true).ConfigureAwait(false)).ConfigureAwait(false);
            }

            if (_settings.Parallelism == 1)
            {
                // One path at a time: the most reproducible run of a seed.
                foreach (var action in people)
                {
                    await action().ConfigureAwait(false);
                }

                people.Clear();
            }

            var workers = Enumerable.Range(0, _settings.Parallelism).Select(_ => Task.Run(async () =>
            {
                while (_world.Queue.TryDequeue(out var item))
                {
                    await GuardAsync($"queue message {item.Account}", async () =>
                    {
                        foreach (var outcome in await _world.Worker.ProcessAsync(item).ConfigureAwait(false))
                        {
                            Observe(outcome);
                        }
                    }).ConfigureAwait(false);
                }
            }));
            await Task.WhenAll(workers.Concat(people.Select(p => Task.Run(p)))).ConfigureAwait(false);
        });
        await PumpAsync(work).ConfigureAwait(false);
        await RestartIfCrashedAsync().ConfigureAwait(false);
    }

    /// <summary>Waits for work, moving the fake clock a second at a time while it waits on a timer of its own.</summary>
    private async Task PumpAsync(Task work)
    {
        var idle = Stopwatch.StartNew();
        var moved = TimeSpan.Zero;
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(5)).ConfigureAwait(false);
            if (!work.IsCompleted && idle.ElapsedMilliseconds >= 100 && moved < TimeSpan.FromMinutes(2))
            {
                _world.Time.Advance(TimeSpan.FromSeconds(1));
                moved += TimeSpan.FromSeconds(1);
                idle.Restart();
            }
        }

        await work.ConfigureAwait(false);
    }

    private async Task GuardAsync(string what, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (SoakCrashException)
        {
            // The engine died: what it was doing is lost, as a dead process's work is.
        }
        catch (Exception e)
        {
            // The exception left the engine: the queue trigger retries the message, the timer runs again. A lost lease
            // is thrown on purpose (the holder stops); anything else is counted by type for the report.
            lock (_trail)
            {
                _escaped[e.GetType().Name] = _escaped.GetValueOrDefault(e.GetType().Name) + 1;
            }

            Note($"{what}: {e.GetType().Name} left the engine: {Shorten(e.Message)}");
        }
    }

    private async Task RestartIfCrashedAsync()
    {
        if (_world.Crash.TakeCrash() is { } at)
        {
            _crashes++;
            Note($"CRASH of engine {_world.Engines} after {at}; a fresh engine starts on the same stores");
            foreach (var killed in _world.Crash.TakeKilled().Where(k => k != at))
            {
                Note($"died with the engine: {killed}");
            }

            foreach (var connection in _connections.Where(c => c.PublicClient))
            {
                if (_world.Peek(connection.Name, withIntent: true)?.OAuth2?.RefreshStartedAt is not null)
                {
                    // The crash came between saving the intent to refresh and saving NetSuite's answer: the single-use
                    // refresh token may be spent, so the engine rightly asks for a new consent rather than risk it.
                    Note($"the crash interrupted {connection.Name}'s refresh");
                    _causes.Add(new Cause("crash during a public client's refresh", connection.Name, connection.Account, Now, person: true) { FixedAt = Now, Lazy = true });
                }
            }

            await _world.RestartAsync().ConfigureAwait(false);
        }
        else if (_world.Crash.Armed)
        {
            // Not enough side effects this tick: the crash waits for the next ones of this engine.
        }
    }

    private void Observe(ConnectionOutcome outcome)
    {
        if (outcome.Kind == OutcomeKind.NeedsPerson || outcome.Status == ConnectionStatus.NeedsPerson)
        {
            var connection = _connections.FirstOrDefault(c => c.Name == outcome.Connection);
            if (connection is not null && connection.LastNeedsPersonMessage != outcome.Message)
            {
                connection.LastNeedsPersonMessage = outcome.Message;
                Note($"{outcome.Connection} needs a person: {Shorten(outcome.Message)}");
            }
        }
        else if (outcome.Kind is OutcomeKind.Failed)
        {
            Note($"{outcome.Connection} failed: {Shorten(outcome.Message)}");
        }
        else if (outcome.Kind == OutcomeKind.Succeeded && outcome.Actions.Count > 0)
        {
            Note($"{outcome.Connection}: {string.Join("; ", outcome.Actions.Take(3))}");
        }
    }

    // ------------------------------------------------------------------ the consumer

    private async Task ConsumerPassAsync()
    {
        foreach (var connection in _connections)
        {
            _consumerCalls++;
            var failure = await ConsumerCallAsync(connection).ConfigureAwait(false);
            if (failure is null)
            {
                connection.LastWorked = Now;
                continue;
            }

            _consumerFailures++;
            var cause = OpenCause(connection, person: false);
            if (cause is not null)
            {
                if (connection.LastFailureNote != cause.Kind)
                {
                    Note($"consumer of {connection.Name} failed ({failure}), explained by {cause}");
                    connection.LastFailureNote = cause.Kind;
                }

                continue;
            }

            _unexplained++;
            Violation($"consumer of {connection.Name} failed with no injected cause: {failure}");
        }
    }

    /// <summary>A plain read of the consumer vault (the consumer library's reader), then one NetSuite call with it; null when it worked.</summary>
    private async Task<string?> ConsumerCallAsync(SoakConnection connection)
    {
        ConsumerCredential credential;
        try
        {
            var name = SecretNames.Consumer(ConnectionName.Parse(connection.Name));
            var read = await _consumerReader.ReadAsync(name).ConfigureAwait(false);
            credential = ConsumerCredential.Parse(name, read.Version, read.Value, read.ExpiresOn, read.Tags);
        }
        catch (Exception e) when (e is NetSuiteCredentialException or RequestFailedException)
        {
            return $"consumer vault read: {Shorten(e.Message)}";
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, _world.Simulator.RecordUrl(connection.Account));
        if (credential.Tba is { } tba)
        {
            request.Headers.Authorization = _signer.Sign(HttpMethod.Get, request.RequestUri!, tba).ToHeaderValue();
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.AccessToken);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return $"NetSuite call: {Shorten(e.Message)}";
        }

        using var _ = response;
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return $"NetSuite {(int)response.StatusCode} {Shorten(body, 120)}";
    }

    // ------------------------------------------------------------------ logging

    private void Note(string text)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"[{Now:yyyy-MM-dd HH:mm:ss}] {text}");
        lock (_trail)
        {
            _trail.Enqueue(line);
            while (_trail.Count > TrailLength)
            {
                _trail.Dequeue();
            }
        }
    }

    private void Violation(string text)
    {
        lock (_trail)
        {
            _violations.Add(string.Create(CultureInfo.InvariantCulture, $"[{Now:yyyy-MM-dd HH:mm:ss}] {text}"));
            _stepViolations++;
        }

        Note("VIOLATION " + text);
    }

    private void ReportViolations(int step)
    {
        _out.WriteLine();
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"INVARIANT VIOLATED: seed {_settings.Seed}, simulated time {Now:yyyy-MM-dd HH:mm:ss} (day {(Now - SoakWorld.Start).TotalDays:0.00}, step {step})"));
        foreach (var violation in _violations.Skip(_violations.Count - _stepViolations))
        {
            _out.WriteLine("  " + violation);
        }

        _out.WriteLine($"event trail (last {TrailLength}):");
        lock (_trail)
        {
            foreach (var line in _trail)
            {
                _out.WriteLine("  " + line);
            }
        }

        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reproduce: dotnet run -c Release --project bench/TokenRotation.Bench -- soak --days {_settings.Days} --seed {_settings.Seed} --accounts {_settings.Accounts}"));
        _out.WriteLine();
    }

    private static string Shorten(string text, int length = 200)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? line : line[..length] + "…";
    }

    private static string? Jti(string? jwt)
    {
        var parts = jwt?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
        return json.RootElement.TryGetProperty("jti", out var jti) ? jti.GetString() : null;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}

internal sealed record SoakUser(string Email, string Password, string TotpSecret);

internal sealed class SoakConnection(string name, ConnectionKind kind, string account, SimIntegration integration, bool publicClient, SoakUser? user)
{
    public string Name { get; } = name;

    public ConnectionKind Kind { get; } = kind;

    public string Account { get; } = account;

    public SimIntegration Integration { get; } = integration;

    public bool PublicClient { get; } = publicClient;

    public SoakUser? User { get; } = user;

    public DateTimeOffset LastWorked { get; set; }

    public string? LastFailureNote { get; set; }

    public bool InNeedsPerson { get; set; }

    public string? LastNeedsPersonMessage { get; set; }

    public bool CurrentReported { get; set; }

    /// <summary>Tokens already reported, so one finding is one violation.</summary>
    public HashSet<string> ReportedOrphans { get; } = new(StringComparer.Ordinal);

    public override string ToString() => Name;
}

/// <summary>
/// Something the soak did that may explain a failure: a transient fault (explains for <see cref="SoakRunner"/>'s
/// window after it), or a cause only a person clears (open until the person acted and the connection works again).
/// </summary>
internal sealed class Cause(string kind, string? connection, string? account, DateTimeOffset from, bool person)
{
    public string Kind { get; } = kind;

    /// <summary>The connection it hits; null for every connection of <see cref="Account"/> (null too: every account).</summary>
    public string? Connection { get; } = connection;

    public string? Account { get; } = account;

    public DateTimeOffset From { get; } = from;

    public bool Person { get; } = person;

    /// <summary>When the person acted; the cause closes once the connection works after it.</summary>
    public DateTimeOffset? FixedAt { get; set; }

    public DateTimeOffset? Until { get; set; }

    public bool Closed { get; set; }

    /// <summary>The fault waits for a matching request: the cause stays open for the transient window at least.</summary>
    public bool Lazy { get; init; }

    public bool Hits(SoakConnection target) =>
        (Connection is null || Connection == target.Name) && (Account is null || Account == target.Account);

    public override string ToString() => $"{Kind} ({Connection ?? Account ?? "all accounts"}, {From:MM-dd HH:mm})";
}

internal sealed record ScheduledAction(DateTimeOffset At, string What, Func<Task> Action);

public sealed record SoakResult(
    SoakSettings Settings,
    int Days,
    int Connections,
    int Faults,
    int Crashes,
    int Violations,
    int UnexplainedConsumerFailures,
    int ConsumerCalls,
    int ConsumerFailures,
    IReadOnlyDictionary<string, int> FaultsByKind,
    int PersonNeededEvents,
    int PersonNeededExplained,
    IReadOnlyDictionary<string, int> PersonNeededByCause,
    IReadOnlyDictionary<string, int> EscapedExceptions,
    SoakVersionFigures Versions,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> StateWritesByReason,
    IReadOnlyList<string> ViolationLines,
    TimeSpan Wall)
{
    /// <summary>The figures for bench/results.md: faults by kind, crashes, person-needed events by cause, Key Vault writes and versions.</summary>
    public string Markdown()
    {
        var days = Math.Max(1, Days);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Seed {Settings.Seed}: {Days} simulated days, {Connections} connections over {Settings.Accounts} accounts, a step every {Settings.Step.TotalMinutes:0} minutes, {Wall.TotalMinutes:0.0} minutes of wall time.");
        text.AppendLine();
        text.AppendLine("| fault or action | injected |");
        text.AppendLine("|---|---:|");
        foreach (var (kind, count) in FaultsByKind.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {count} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| engine crashes (a fresh engine on the same stores) | {Crashes} |");
        text.AppendLine();
        text.AppendLine("| person-needed event, by the injected cause | count |");
        text.AppendLine("|---|---:|");
        foreach (var (cause, count) in PersonNeededByCause.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {cause} | {count} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| without an injected cause | {PersonNeededEvents - PersonNeededExplained} |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Consumer: {ConsumerCalls} calls, {ConsumerFailures} failed, {UnexplainedConsumerFailures} without an injected cause. Exceptions that left the engine (the trigger retries): {(EscapedExceptions.Count == 0 ? "none" : string.Join(", ", EscapedExceptions.Select(e => $"{e.Key} {e.Value}")))}.");
        text.AppendLine();
        text.AppendLine("| Key Vault, per connection per day | state vault | consumer vault |");
        text.AppendLine("|---|---:|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| writes (new versions and tag updates), all connections | {(double)Versions.StateWrites / Connections / days:0.0} | {(double)Versions.ConsumerWrites / Connections / days:0.0} |");
        foreach (var kind in new[] { "tba", "conf", "pub", "m2m" })
        {
            var state = Versions.StateVersions.Where(v => v.Key.StartsWith("conn-" + kind, StringComparison.Ordinal)).Select(v => v.Value).DefaultIfEmpty().Max();
            var consumer = Versions.ConsumerVersions.Where(v => v.Key.StartsWith("netsuite-" + kind, StringComparison.Ordinal)).Select(v => v.Value).DefaultIfEmpty().Max();
            text.AppendLine(CultureInfo.InvariantCulture, $"| versions, {kind}-* (the most of any) | {(double)state / days:0.0} ({state} in all) | {(double)consumer / days:0.0} ({consumer} in all) |");
        }

        text.AppendLine();
        text.AppendLine("| state-secret versions, by what changed (fields that differ from the version before) | tba | conf | pub | m2m |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        var kinds = new[] { "tba", "conf", "pub", "m2m" };
        var reasons = kinds.SelectMany(k => StateWritesByReason.GetValueOrDefault(k)?.Keys ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal)
            .OrderByDescending(r => kinds.Sum(k => StateWritesByReason.GetValueOrDefault(k)?.GetValueOrDefault(r) ?? 0)).ThenBy(r => r, StringComparer.Ordinal);
        foreach (var reason in reasons)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {reason} | {string.Join(" | ", kinds.Select(k => StateWritesByReason.GetValueOrDefault(k)?.GetValueOrDefault(reason) ?? 0))} |");
        }

        return text.ToString();
    }

    public string SummaryLine => string.Create(CultureInfo.InvariantCulture,
        $"soak: {Days} days, {Connections} connections, {Faults} faults, {Crashes} crashes, {Violations} invariant violations, {UnexplainedConsumerFailures} consumer failures unexplained");
}

public sealed record SoakVersionFigures(
    IReadOnlyDictionary<string, int> StateVersions,
    IReadOnlyDictionary<string, int> ConsumerVersions,
    long StateWrites,
    long ConsumerWrites);
