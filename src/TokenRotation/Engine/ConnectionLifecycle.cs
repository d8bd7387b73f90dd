using NetSuite.Auth;
using TokenRotation.Connections;
using TokenRotation.Kinds;
using TokenRotation.Kinds.Tba;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>
/// What an operator does to an existing connection (CLI, HTTP): pause, resume, roll back, delete. Each runs under the
/// connection's lease through <see cref="ConnectionProcessor.WithSessionAsync"/>, and each has a dry run.
/// </summary>
public sealed class ConnectionLifecycle(ConnectionProcessor processor, CredentialKindHandlers handlers, RunEffects effects, IConnectionStore store)
{
    public Task<ConnectionOutcome> PauseAsync(ConnectionName name, bool dryRun, CancellationToken cancellationToken = default) =>
        SetPausedAsync(name, true, dryRun, cancellationToken);

    public Task<ConnectionOutcome> ResumeAsync(ConnectionName name, bool dryRun, CancellationToken cancellationToken = default) =>
        SetPausedAsync(name, false, dryRun, cancellationToken);

    /// <summary>During grace: the previous credential becomes current again, nothing is revoked.</summary>
    public Task<ConnectionOutcome> RollbackAsync(ConnectionName name, bool dryRun, CancellationToken cancellationToken = default) =>
        processor.WithSessionAsync(name, new RunRequest { DryRun = dryRun, Trigger = "rollback", Now = true }, (ctx, ct) =>
            handlers.For(ctx.Doc).RollbackAsync(ctx, ct), cancellationToken);

    /// <summary>
    /// Revokes what this service holds in NetSuite (tokens, refresh token), then removes the consumer projection
    /// and the state. If a revocation fails nothing is removed, unless <paramref name="force"/>.
    /// </summary>
    public Task<ConnectionOutcome> DeleteAsync(ConnectionName name, bool dryRun, bool force, CancellationToken cancellationToken = default) =>
        processor.WithSessionAsync(name, new RunRequest { DryRun = dryRun, Trigger = "delete", Now = true, Force = force }, async (ctx, ct) =>
        {
            var doc = ctx.Doc;
            var toRevoke = handlers.For(doc).Revocations(ctx);
            if (ctx.Request.DryRun)
            {
                foreach (var (what, _) in toRevoke)
                {
                    ctx.Did($"would revoke {what} in NetSuite");
                }

                ctx.Did($"would delete the consumer secret and the state secret of {ctx.Name} (soft delete: the name stays blocked until recovered)");
                return OutcomeKind.DryRun;
            }

            var failures = new List<string>();
            NetSuiteError? badLogin = null;
            foreach (var (what, revoke) in toRevoke)
            {
                var result = await revoke(ct).ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    ctx.Did($"revoked {what}");
                }
                else
                {
                    failures.Add($"{what}: {result.Error!.Code} {result.Error.Message}");
                    badLogin ??= NLAuthLoginGuard.IsBadCredential(result.Error) ? result.Error : null;
                }
            }

            if (badLogin is not null && !ctx.Request.Force)
            {
                // The refused login is the connection's too: status and doctor show it until the password changes.
                effects.RecordError(ctx, badLogin, "delete", retry: false);
                await effects.NeedsPersonAsync(ctx, $"delete: {badLogin.Message}", false, ct).ConfigureAwait(false);
                await effects.SaveAsync(ctx, ct).ConfigureAwait(false);
            }

            if (failures.Count > 0 && !ctx.Request.Force)
            {
                ctx.Did($"not deleted, because revoking failed ({string.Join("; ", failures)}); fix it and try again, or delete with --force and revoke by hand in NetSuite");
                return OutcomeKind.Refused;
            }

            ctx.Session.Lease.EnsureHeld();
            await effects.DeleteConsumerSecretAsync(ctx, ct).ConfigureAwait(false);
            await store.DeleteAsync(ctx.Session.Name, ct).ConfigureAwait(false);
            ctx.Did($"deleted {ctx.Name}; with purge protection its name stays blocked until recovered (`nstoken recover {ctx.Name}`)");
            return OutcomeKind.Succeeded;
        }, cancellationToken);

    private Task<ConnectionOutcome> SetPausedAsync(ConnectionName name, bool paused, bool dryRun, CancellationToken cancellationToken) =>
        processor.WithSessionAsync(name, new RunRequest { DryRun = dryRun, Trigger = paused ? "pause" : "resume", Now = true }, async (ctx, ct) =>
        {
            if (ctx.Doc.Paused == paused)
            {
                ctx.Did(paused ? "already paused" : "not paused");
                return OutcomeKind.NothingToDo;
            }

            if (ctx.Request.DryRun)
            {
                ctx.Did(paused ? "would pause: timers leave it alone until resumed" : "would resume: timers pick it up again");
                return OutcomeKind.DryRun;
            }

            ctx.Doc.Paused = paused;
            await effects.SaveAsync(ctx, ct).ConfigureAwait(false);
            ctx.Did(paused ? "paused" : "resumed");
            return OutcomeKind.Succeeded;
        }, cancellationToken);

}
