using Microsoft.Extensions.Options;
using NetSuite.Auth.Certificates;
using NetSuite.Auth.OAuth2;
using NetSuite.Auth.OAuth2.Jwt;
using NetSuite.Auth.Tba;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Stores;
using TokenRotation.Telemetry;

namespace TokenRotation.Engine;

/// <summary>Makes signed consent links for the callback flow; the consent part of the app implements it.</summary>
public interface IConsentLinkFactory
{
    /// <summary>A signed, expiring link that starts consent for one connection; null when links cannot be made here.</summary>
    Task<string?> CreateAsync(ConnectionName name, CancellationToken cancellationToken = default);
}

/// <summary>Gives the signer of a client-credentials connection's assertions for one certificate version.</summary>
public interface IAssertionSignerFactory
{
    /// <summary>A signer whose <c>kid</c> is the credential's NetSuite certificate id and whose key is the credential's key version.</summary>
    Task<IJwtSigner> CreateAsync(ConnectionDocument connection, RotatedCredential certificate, CancellationToken cancellationToken = default);
}

/// <summary>Everything the state machines use, resolved once from DI.</summary>
public sealed class EngineServices(
    IConnectionStore store,
    IConsumerPublisher consumers,
    ILeaseProvider leases,
    IAccountGate gate,
    ITotpStepStore totpSteps,
    NetSuiteTbaClient tba,
    NetSuiteTokenClient tokens,
    NetSuiteCertificatesClient certificates,
    NetSuiteClientAssertionBuilder assertions,
    IAssertionSignerFactory signers,
    IConsentLinkFactory consentLinks,
    RotationTelemetry telemetry,
    IOptions<RotationOptions> rotation,
    IOptions<EngineOptions> engine,
    TimeProvider time)
{
    public IConnectionStore Store { get; } = store;
    public IConsumerPublisher Consumers { get; } = consumers;
    public ILeaseProvider Leases { get; } = leases;
    public IAccountGate Gate { get; } = gate;
    public ITotpStepStore TotpSteps { get; } = totpSteps;
    public NetSuiteTbaClient Tba { get; } = tba;
    public NetSuiteTokenClient Tokens { get; } = tokens;
    public NetSuiteCertificatesClient Certificates { get; } = certificates;
    public NetSuiteClientAssertionBuilder Assertions { get; } = assertions;
    public IAssertionSignerFactory Signers { get; } = signers;
    public IConsentLinkFactory ConsentLinks { get; } = consentLinks;
    public RotationTelemetry Telemetry { get; } = telemetry;
    public RotationOptions Rotation { get; } = rotation.Value;
    public EngineOptions Engine { get; } = engine.Value;
    public TimeProvider Time { get; } = time;

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Certificate rotation for client-credentials connections, when a certificate key store is configured.</summary>
    public IRotationOperations? CertificateRotation { get; init; }

    /// <summary>Where a single-use token goes when the state vault refuses it; null when none is configured.</summary>
    public ITokenJournal? Journal { get; init; }

    /// <summary>Seals tokens for <see cref="Journal"/>.</summary>
    public TokenSealer? Sealer { get; init; }

    /// <summary>Keeps NLAuth from sending a password NetSuite already refused; null when no refusal store is configured.</summary>
    public NLAuthLoginGuard? LoginGuard { get; init; }
}

/// <summary>Engine tunables that are not user policy (bound from <c>Engine</c>; defaults suit production).</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>A run waits inline for a retry due this soon (for example the next TOTP window) instead of ending.</summary>
    public TimeSpan MaxInlineWait { get; set; } = TimeSpan.FromSeconds(35);

    /// <summary>First retry delay after a failure; doubles per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How many connections of one account the worker processes in one message.</summary>
    public int MaxConnectionsPerMessage { get; set; } = 500;

    /// <summary>
    /// How many accounts a local dispatcher (<see cref="LocalWorkDispatcher"/>: the CLI, the demo, the benchmark) works
    /// on at once. Within an account the work stays sequential and the per-account gate still holds. The Functions host
    /// has its own knob for the same thing: host.json <c>extensions.queues.batchSize</c>.
    /// </summary>
    public int WorkerParallelism { get; set; } = 16;

    /// <summary>
    /// Retries of a state write that holds a new single-use token, after the Key Vault SDK's own retries. With the
    /// delay below they stay well inside a lease (each attempt checks the lease first).
    /// </summary>
    public int SingleUseSaveRetries { get; set; } = 3;

    /// <summary>First delay between those retries; it doubles (1 s, 2 s, 4 s by default).</summary>
    public TimeSpan SingleUseSaveRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest time a token journal entry is kept (shorter when the token ends sooner).</summary>
    public TimeSpan JournalEntryLifetime { get; set; } = TimeSpan.FromDays(2);
}
