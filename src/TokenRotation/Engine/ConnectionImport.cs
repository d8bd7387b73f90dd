using Microsoft.Extensions.Options;
using NetSuite.Auth;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Coordination;
using TokenRotation.Kinds;
using TokenRotation.Stores;
using TokenRotation.Telemetry;

namespace TokenRotation.Engine;

/// <summary>
/// Adds a connection (CLI, set-up, tests): its kind's handler checks the fields and, except on a dry run, the live
/// credential; a credential another connection holds is refused (<see cref="CredentialConflicts"/>); the first state
/// version is written under the connection's lease and, for a credential, a lease named by its keyed fingerprint.
/// </summary>
public sealed class ConnectionImport(
    CredentialKindHandlers handlers, ILeaseProvider leases, IConnectionStore store, RotationTelemetry telemetry, IOptions<RotationOptions> rotationOptions, TimeProvider time,
    IServiceKeyStore serviceKeys)
{
    private readonly CredentialFingerprints _fingerprints = new(serviceKeys);

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Adds a connection. Its name must be free; a soft-deleted name must be recovered instead.</summary>
    public async Task<ConnectionOutcome> ImportAsync(ConnectionDocument document, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var name = ConnectionName.Parse(document.Name);
        document.Name = name.Value;

        // An OAuth 2.0 connection may leave its account to the first consent (NetSuite's generic authorize page).
        document.Account = AccountRestriction.IsAccountPending(document) ? "" : NetSuiteAccountId.Parse(document.Account).Realm;
        var handler = handlers.For(document);
        var problems = new List<string>();
        handler.ValidateImport(document, problems);
        if (problems.Count > 0)
        {
            return ConnectionRefusals.Refused(name, $"Cannot import {name}: {string.Join("; ", problems)}.");
        }

        await using var lease = await leases.TryAcquireAsync(ConnectionProcessor.LeaseKey(name), cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ConnectionOutcome.Busy(name.Value);
        }

        if (await store.GetAsync(name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return new ConnectionOutcome(name.Value, OutcomeKind.Conflict, $"A connection named {name} already exists; delete it first or choose another name.", ConnectionStatus.Healthy, null, []);
        }

        if (await store.IsDeletedAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return ConnectionRefusals.Refused(name, $"The name {name} belongs to a deleted connection that purge protection keeps until it is recovered: run `nstoken recover {name}`, or choose another name.");
        }

        // One credential, one connection: imports of the same credential take turns on a lease named by its keyed
        // fingerprint (a dry run only looks), and each looks for it in every other connection before saving.
        var claimKey = dryRun ? null : await _fingerprints.LeaseKeyAsync(document, cancellationToken).ConfigureAwait(false);
        await using var claim = claimKey is null ? null : await leases.TryAcquireAsync(claimKey, cancellationToken).ConfigureAwait(false);
        if (claimKey is not null && claim is null)
        {
            return new ConnectionOutcome(name.Value, OutcomeKind.Conflict,
                $"Another import of the same {(document.Kind == ConnectionKind.Tba ? "TBA token" : "certificate")} is running; one credential belongs to one connection. Try again when it has finished.",
                ConnectionStatus.Healthy, null, []);
        }

        if (await CredentialConflicts.FindAsync(store, document, cancellationToken).ConfigureAwait(false) is { } conflict)
        {
            return ConnectionRefusals.Refused(name, conflict);
        }

        var actions = new List<string>();
        document.SchemaVersion = ConnectionDocument.CurrentSchemaVersion;
        document.Generation = 0;
        document.CreatedAt = Now;
        if (await handler.PrepareImportAsync(document, dryRun, actions, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return ConnectionRefusals.Refused(name, refusal);
        }

        if (dryRun)
        {
            return new ConnectionOutcome(name.Value, OutcomeKind.DryRun, $"would import {name}: " + string.Join("; ", actions), document.Status, null, actions);
        }

        document.Generation = 1;
        var index = Scheduler.Index(document, rotationOptions.Value);
        lease.EnsureHeld();
        claim?.EnsureHeld();
        await store.SaveAsync(document, index, cancellationToken).ConfigureAwait(false);
        telemetry.StateWritten(name.Value);
        await handler.CompleteImportAsync(document, lease, actions, cancellationToken).ConfigureAwait(false);
        return new ConnectionOutcome(name.Value, OutcomeKind.Succeeded, string.Join("; ", actions), index.State, index.NextActionAt, actions);
    }
}
