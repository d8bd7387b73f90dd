using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using NetSuite.Auth.OAuth2.Jwt;
using Testing.Shared;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Kinds.ClientCredentials;
using TokenRotation.Telemetry;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// The unit layer's world: the engine's real <see cref="RunEffects"/>, <see cref="ConnectionSession"/> fencing,
/// in-memory leases and telemetry, over in-memory stores and a fake clock. No Kestrel, no Azurite, no simulator, no
/// disk: a run is a few method calls. Each run takes the connection's lease and reads the stored document, as
/// <see cref="ConnectionProcessor"/> does, so a run that throws (a simulated crash) leaves only what it wrote.
/// </summary>
internal sealed class MachineWorld : IDisposable
{
    public const string Account = "1234567_SB1";

    public static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private readonly UnitMeterFactory _meters = new();
    private readonly ILoggerFactory _loggers;

    public MachineWorld()
    {
        Store = new InMemoryConnectionStore(Effects);
        Consumers = new RecordingConsumerPublisher(Effects);
        _loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        Telemetry = new RotationTelemetry(_loggers.CreateLogger<RotationTelemetry>(), _meters);
        Leases = new InMemoryLeaseProvider(Time, new CoordinationOptions(), renewOnTimer: false);
        Sealer = new TokenSealer(new LocalServiceKeyStore(null, Time));
        RunEffects = new RunEffects(Consumers, new FixedConsentLinks(), Journal, Sealer, Telemetry, Options.Create(Engine), Time);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Every side effect of every run, in order.</summary>
    public List<SideEffect> Effects { get; } = [];

    public CapturingLoggerProvider Logs { get; } = new();

    public InMemoryConnectionStore Store { get; }

    public RecordingConsumerPublisher Consumers { get; }

    public InMemoryTokenJournal Journal { get; } = new();

    public InMemoryLeaseProvider Leases { get; }

    public RotationOptions Rotation { get; } = new();

    /// <summary>Retries of a single-use token's save without waiting, so the journal fallback is reached at once.</summary>
    public EngineOptions Engine { get; } = new() { SingleUseSaveRetryDelay = TimeSpan.Zero };

    public RotationTelemetry Telemetry { get; }

    /// <summary>Seals a single-use token into the journal with a service key held in memory.</summary>
    public TokenSealer Sealer { get; }

    public RunEffects RunEffects { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public CredentialRotationMachine RotationMachine() => new(RunEffects, Telemetry, Options.Create(Rotation), Time);

    /// <summary>The refresh machine with NetSuite's token endpoint answered in memory by <paramref name="endpoint"/>.</summary>
    public OAuth2RefreshMachine RefreshMachine(HttpMessageHandler endpoint)
    {
        var tokens = new NetSuiteTokenClient(new HttpClient(endpoint), new NetSuiteEndpoints(new NetSuiteEndpointOptions()), Time);
        var gate = new LeaseAccountGate(Leases, 1, new CoordinationOptions(), Time);
        return new OAuth2RefreshMachine(RunEffects, gate, tokens, Telemetry, Options.Create(Rotation), Time);
    }

    /// <summary>The client-credentials machine with the token endpoint in memory and signers with local keys.</summary>
    public ClientCredentialsMachine MintMachine(HttpMessageHandler endpoint, IAssertionSignerFactory signers)
    {
        var endpoints = new NetSuiteEndpoints(new NetSuiteEndpointOptions());
        var tokens = new NetSuiteTokenClient(new HttpClient(endpoint), endpoints, Time);
        var gate = new LeaseAccountGate(Leases, 1, new CoordinationOptions(), Time);
        return new ClientCredentialsMachine(
            RunEffects, gate, tokens, new NetSuiteClientAssertionBuilder(endpoints, Time), signers, Telemetry, Options.Create(Rotation), Time);
    }

    /// <summary>Stores <paramref name="document"/> as imported, with the index the scheduler gives it.</summary>
    public void Seed(ConnectionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        Store.Seed(document, Scheduler.Index(document, Rotation, null, Now));
    }

    /// <summary>The stored document, as the next run reads it.</summary>
    public ConnectionDocument Stored(string name) =>
        Store.GetAsync(ConnectionName.Parse(name)).GetAwaiter().GetResult() ?? throw new InvalidOperationException($"{name} is not stored.");

    /// <summary>One run of one connection under its lease; the lease is released even when the run throws.</summary>
    public async Task<(T Result, RunContext Context)> RunAsync<T>(string name, RunRequest request, Func<RunContext, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var connection = ConnectionName.Parse(name);
        await using var lease = await Leases.TryAcquireAsync(ConnectionProcessor.LeaseKey(connection))
            ?? throw new InvalidOperationException($"The lease of {name} is held.");
        var document = await Store.GetAsync(connection) ?? throw new InvalidOperationException($"{name} is not stored.");
        var session = new ConnectionSession(Store, lease, document, d => Scheduler.Index(d, Rotation, null, Now));
        var ctx = new RunContext(session, request);
        var result = await work(ctx);
        return (result, ctx);
    }

    /// <summary>Every side effect after position <paramref name="from"/> of <see cref="Effects"/>.</summary>
    public IReadOnlyList<SideEffect> EffectsSince(int from) => Effects.Skip(from).ToList();

    public void Dispose()
    {
        _loggers.Dispose();
        _meters.Dispose();
        Logs.Dispose();
    }
}
