using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace TokenRotation.Telemetry;

/// <summary>Logs (message templates, never secrets) and metrics of the engine.</summary>
public sealed partial class RotationTelemetry
{
    public const string MeterName = "TokenRotation";
    public const string ActivitySourceName = "TokenRotation";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private readonly ILogger<RotationTelemetry> _logger;
    private readonly Counter<long> _started;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _needsPerson;
    private readonly Counter<long> _orphans;
    private readonly Counter<long> _sweeps;
    private readonly Counter<long> _stateWrites;

    public RotationTelemetry(ILogger<RotationTelemetry> logger, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _logger = logger;
        var meter = meterFactory.Create(MeterName);
        _started = meter.CreateCounter<long>("rotation.started", description: "Refreshes, mints and rotations started.");
        _succeeded = meter.CreateCounter<long>("rotation.succeeded", description: "Refreshes, mints and rotation steps that succeeded.");
        _failed = meter.CreateCounter<long>("rotation.failed", description: "Failures by class.");
        _needsPerson = meter.CreateCounter<long>("rotation.needs_person", description: "Connections moved to NeedsPerson.");
        _orphans = meter.CreateCounter<long>("rotation.possible_orphans", description: "Tokens NetSuite may have issued without our seeing them.");
        _sweeps = meter.CreateCounter<long>("sweep.completed", description: "Sweeps completed.");
        _stateWrites = meter.CreateCounter<long>("state.writes", description: "State-secret writes by the engine.");
    }

    public void Started(string connection, string kind, string operation, string rotationId)
    {
        _started.Add(1, new("kind", kind), new("operation", operation));
        LogStarted(connection, kind, operation, rotationId);
    }

    public void Succeeded(string connection, string kind, string operation, string outcome)
    {
        _succeeded.Add(1, new("kind", kind), new("operation", operation));
        LogSucceeded(connection, kind, operation, outcome);
    }

    public void Failed(string connection, string kind, string operation, string errorClass, string code, string message, int attempts)
    {
        _failed.Add(1, new("kind", kind), new("class", errorClass));
        LogFailed(connection, kind, operation, errorClass, code, message, attempts);
    }

    public void Abandoned(string connection, string kind, string rotationId, string reason) => LogAbandoned(connection, kind, rotationId, reason);

    public void NeedsPerson(string connection, string kind, string reason, string? consentLink)
    {
        _needsPerson.Add(1, new KeyValuePair<string, object?>("kind", kind));
        LogNeedsPerson(connection, kind, reason, consentLink ?? "");
    }

    public void PossibleOrphan(string connection, string account, string tokenName, string reason)
    {
        _orphans.Add(1);
        LogPossibleOrphan(connection, account, tokenName, reason);
    }

    /// <summary>A person acknowledged a possible orphan: the alert query leaves out the acknowledged token names.</summary>
    public void OrphanAcknowledged(string connection, string tokenName, string acknowledgedBy) => LogOrphanAcknowledged(connection, tokenName, acknowledgedBy);

    public void SweepCompleted(string sweep, int connections, int due, int accounts, TimeSpan duration)
    {
        _sweeps.Add(1, new KeyValuePair<string, object?>("sweep", sweep));
        LogSweepCompleted(sweep, connections, due, accounts, duration.TotalMilliseconds);
    }

    public void StateWritten(string connection) => _stateWrites.Add(1);

    /// <summary>Something NetSuite sent was odd but usable (a non-JWT access token, a decimal <c>expires_in</c>).</summary>
    public void Oddity(string connection, string kind, string operation, string what) => LogOddity(connection, kind, operation, what);

    /// <summary>A fenced write found another writer's document: this holder's work stopped (architecture section 5).</summary>
    public void LostUpdate(string connection, long generation, string reason) => LogLostUpdate(connection, generation, reason);

    /// <summary>A single-use token the state vault refused was sealed into the journal, or replayed from it.</summary>
    public void Journal(string connection, string what) => LogJournal(connection, what);

    [LoggerMessage(EventId = 1010, EventName = RotationEvents.NetSuiteOddity, Level = LogLevel.Warning,
        Message = "NetSuiteOddity {Connection} ({Kind}) during {Operation}: {What}")]
    private partial void LogOddity(string connection, string kind, string operation, string what);

    [LoggerMessage(EventId = 1011, EventName = RotationEvents.LostUpdate, Level = LogLevel.Error,
        Message = "LostUpdate {Connection} at generation {Generation}: {Reason}; this holder stopped")]
    private partial void LogLostUpdate(string connection, long generation, string reason);

    [LoggerMessage(EventId = 1012, EventName = RotationEvents.TokenJournal, Level = LogLevel.Warning,
        Message = "TokenJournal {Connection}: {What}")]
    private partial void LogJournal(string connection, string what);

    [LoggerMessage(EventId = 1001, EventName = RotationEvents.RotationStarted, Level = LogLevel.Information,
        Message = "RotationStarted {Connection} ({Kind}): {Operation} {RotationId}")]
    private partial void LogStarted(string connection, string kind, string operation, string rotationId);

    [LoggerMessage(EventId = 1002, EventName = RotationEvents.RotationSucceeded, Level = LogLevel.Information,
        Message = "RotationSucceeded {Connection} ({Kind}): {Operation} {Outcome}")]
    private partial void LogSucceeded(string connection, string kind, string operation, string outcome);

    [LoggerMessage(EventId = 1003, EventName = RotationEvents.RotationFailed, Level = LogLevel.Warning,
        Message = "RotationFailed {Connection} ({Kind}): {Operation} failed, {ErrorClass} {ErrorCode}: {ErrorMessage} (attempt {Attempts})")]
    private partial void LogFailed(string connection, string kind, string operation, string errorClass, string errorCode, string errorMessage, int attempts);

    [LoggerMessage(EventId = 1004, EventName = RotationEvents.RotationAbandoned, Level = LogLevel.Warning,
        Message = "RotationAbandoned {Connection} ({Kind}): rotation {RotationId} abandoned: {Reason}")]
    private partial void LogAbandoned(string connection, string kind, string rotationId, string reason);

    [LoggerMessage(EventId = 1005, EventName = RotationEvents.NeedsPerson, Level = LogLevel.Warning,
        Message = "NeedsPerson {Connection} ({Kind}): {Reason} ConsentLink={ConsentLink}")]
    private partial void LogNeedsPerson(string connection, string kind, string reason, string consentLink);

    [LoggerMessage(EventId = 1006, EventName = RotationEvents.PossibleOrphan, Level = LogLevel.Warning,
        Message = "PossibleOrphan {Connection} on {Account}: token {TokenName} may exist in NetSuite without our seeing it ({Reason}); revoke it in NetSuite")]
    private partial void LogPossibleOrphan(string connection, string account, string tokenName, string reason);

    [LoggerMessage(EventId = 1013, EventName = RotationEvents.OrphanAcknowledged, Level = LogLevel.Information,
        Message = "OrphanAcknowledged {Connection}: possible orphan {TokenName} acknowledged by {AcknowledgedBy}")]
    private partial void LogOrphanAcknowledged(string connection, string tokenName, string acknowledgedBy);

    [LoggerMessage(EventId = 1007, EventName = RotationEvents.SweepCompleted, Level = LogLevel.Information,
        Message = "SweepCompleted {Sweep}: {Connections} connections, {Due} due, {Accounts} accounts enqueued in {DurationMs} ms")]
    private partial void LogSweepCompleted(string sweep, int connections, int due, int accounts, double durationMs);
}
