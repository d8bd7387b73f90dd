using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using NetSuite.Auth;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Telemetry;

namespace TokenRotation.Engine;

/// <summary>
/// Rotation as a state machine (architecture section 4), modelled on create / set / test / finish:
/// Intent (persisted first) -> Issued (pending persisted) -> verified -> Promoted (state, then consumer projection)
/// -> previous revoked after the grace period. The current credential is never replaced by an unverified one
/// and never revoked while current; a crash anywhere is resumed by the next run.
/// </summary>
internal sealed class CredentialRotationMachine(RunEffects effects, RotationTelemetry telemetry, IOptions<RotationOptions> rotationOptions, TimeProvider time)
{
    private const int MaxStepsPerRun = 8;

    private DateTimeOffset Now => time.GetUtcNow();

    public async Task<OutcomeKind> RunAsync(RunContext ctx, IRotationOperations ops, CancellationToken cancellationToken)
    {
        var outcome = OutcomeKind.NothingToDo;
        var wroteIntentThisRun = false;

        // A forced rotation revokes the previous credential once, then starts the new rotation in the same run; the
        // credential that rotation replaces gets its full grace period.
        var retiredByForce = false;
        var promotedThisRun = false;
        for (var step = 0; step < MaxStepsPerRun; step++)
        {
            var doc = ctx.Doc;
            var rotation = doc.Rotation;
            if (rotation is null)
            {
                if (doc.Credentials.Current is null)
                {
                    return outcome;
                }

                // While a person is needed (a refused login, an integration waiting for approval, ...) only an explicit
                // rotate starts a rotation: a sweep retrying would repeat the refused call every day (and lock the user).
                var wanted = ctx.Request.Rotate || (ctx.Request.StartRotations && doc.Status != ConnectionStatus.NeedsPerson && ops.IsRotationDue(ctx));
                // One rotation per run, except the one a forced rotate asked for after ending the previous one's grace.
                if (!wanted || (outcome == OutcomeKind.Succeeded && !retiredByForce))
                {
                    return outcome;
                }

                retiredByForce = false;

                if (ctx.Request.DryRun)
                {
                    ctx.Did($"would rotate the {ops.Noun}: issue a new one, verify it, promote it, and revoke {doc.Credentials.Current.Id} after the grace period");
                    return OutcomeKind.DryRun;
                }

                var rotationId = NewRotationId(doc.Name, Now);
                doc.Rotation = new RotationProgress { RotationId = rotationId, Step = RotationStep.Intent, StartedAt = Now, IssueSent = true };
                doc.Status = ConnectionStatus.Rotating;

                // The intent names what NetSuite may issue; it holds no secret, so it goes with the index (architecture
                // section 13). The pending credential and the promotion are the rotation's state-vault writes.
                await effects.SaveIntentAsync(ctx, cancellationToken).ConfigureAwait(false);
                wroteIntentThisRun = true;
                telemetry.Started(ctx.Name, ctx.Kind, "rotate", rotationId);
                ctx.Did($"started rotation {rotationId}");
                continue;
            }

            if (!ctx.Request.Rotate && rotation.NextAttemptAt is { } at && at > Now)
            {
                ctx.Did($"rotation {rotation.RotationId} waits until {at:u}");
                return outcome;
            }

            switch (rotation.Step)
            {
                case RotationStep.Intent:
                    if (ctx.Request.DryRun)
                    {
                        ctx.Did($"would issue the new {ops.Noun} for rotation {rotation.RotationId}");
                        return OutcomeKind.DryRun;
                    }

                    var issued = await IssueAsync(ctx, ops, rotation, wroteIntentThisRun, cancellationToken).ConfigureAwait(false);
                    if (issued != OutcomeKind.Succeeded)
                    {
                        return issued;
                    }

                    outcome = OutcomeKind.Succeeded;
                    break;

                case RotationStep.Issued:
                    if (ctx.Request.DryRun)
                    {
                        ctx.Did($"would verify pending {ops.Noun} {doc.Credentials.Pending?.Id} and promote it");
                        return OutcomeKind.DryRun;
                    }

                    var verified = await VerifyAndPromoteAsync(ctx, ops, rotation, cancellationToken).ConfigureAwait(false);
                    if (verified != OutcomeKind.Succeeded)
                    {
                        return verified;
                    }

                    outcome = OutcomeKind.Succeeded;
                    promotedThisRun = true;
                    break;

                case RotationStep.Promoted:
                    if (promotedThisRun && ctx.Request.Force)
                    {
                        // The forced rotate's new credential starts its grace now; the force ended only the older one's.
                        return outcome;
                    }

                    // A rotation this run promoted is in its grace period by design: that is no conflict.
                    var force = ctx.Request.Force;
                    var retired = await RetireAsync(ctx, ops, refuseInGrace: outcome != OutcomeKind.Succeeded, force, cancellationToken).ConfigureAwait(false);
                    if (retired is null)
                    {
                        return outcome;
                    }

                    if (retired != OutcomeKind.Succeeded)
                    {
                        return retired.Value;
                    }

                    outcome = OutcomeKind.Succeeded;
                    if (!force)
                    {
                        return outcome;
                    }

                    // A forced rotate ended the grace to make room for a new rotation: go on to it.
                    retiredByForce = true;
                    break;

                default:
                    throw new InvalidDataException($"Connection {doc.Name} has an unknown rotation step {rotation.Step}.");
            }
        }

        return outcome;
    }

    /// <summary>Rolls back during grace: current and previous swap, nothing is revoked.</summary>
    public async Task<OutcomeKind> RollbackAsync(RunContext ctx, IRotationOperations ops, CancellationToken cancellationToken)
    {
        var doc = ctx.Doc;
        if (doc.Rotation?.Step != RotationStep.Promoted || doc.Credentials.Previous is null || doc.Credentials.Current is null)
        {
            ctx.Did("nothing to roll back: no previous credential is in its grace period");
            return OutcomeKind.Refused;
        }

        if (doc.Credentials.Previous.RetireAfter is not { } retireAfter || retireAfter <= Now)
        {
            // Past its grace period the previous credential is being revoked, and may already be: never make it current.
            ctx.Did($"nothing to roll back: the grace period of {doc.Credentials.Previous.Id} is over, so it may already be revoked");
            return OutcomeKind.Refused;
        }

        if (ctx.Request.DryRun)
        {
            ctx.Did($"would make {doc.Credentials.Previous.Id} current again and keep {doc.Credentials.Current.Id} as previous until the grace period ends");
            return OutcomeKind.DryRun;
        }

        var previous = doc.Credentials.Previous;
        var current = doc.Credentials.Current;

        // Never make a credential current that NetSuite no longer accepts (revoked or wiped since its promotion): the
        // current one is replaced only by a verified one, on every path (architecture section 4).
        var check = await ops.VerifyAsync(ctx, previous, cancellationToken).ConfigureAwait(false);
        if (!check.Verified)
        {
            ctx.Did($"not rolled back: NetSuite no longer accepts {ops.Noun} {previous.Id} ({check.Error?.Code ?? check.Mismatch}); {current.Id} stays current");
            return OutcomeKind.Refused;
        }

        previous.RetireAfter = null;
        current.RetireAfter = Now + (doc.Policy.GracePeriod ?? rotationOptions.Value.GracePeriod);
        doc.Credentials.Current = previous;
        doc.Credentials.Previous = current;
        await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        await ops.PublishAsync(ctx, previous, cancellationToken).ConfigureAwait(false);
        ctx.Did($"rolled back: {previous.Id} is current again; {current.Id} is revoked after {current.RetireAfter:u}");
        telemetry.Succeeded(ctx.Name, ctx.Kind, "rollback", previous.Id);
        return OutcomeKind.Succeeded;
    }

    public static string NewRotationId(string connection, DateTimeOffset now)
    {
        var prefix = connection.Length > 60 ? connection[..60] : connection;
        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
        return $"{prefix}-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)}-{random}";
    }

    private async Task<OutcomeKind> IssueAsync(RunContext ctx, IRotationOperations ops, RotationProgress rotation, bool wroteIntentThisRun, CancellationToken cancellationToken)
    {
        var doc = ctx.Doc;
        if (rotation.IssueSent && !wroteIntentThisRun)
        {
            // A run before this one may have sent the issue request and died before saving the answer.
            RecordOrphan(ctx, rotation.RotationId, "a run stopped after asking NetSuite for the token and before saving the answer");
            rotation.RotationId = NewRotationId(doc.Name, Now);
            rotation.IssueSent = true;
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        }
        else if (!rotation.IssueSent)
        {
            rotation.IssueSent = true;
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        }

        var result = await ops.IssueAsync(ctx, rotation.RotationId, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            var pending = result.Value;
            pending.Name ??= rotation.RotationId;
            doc.Credentials.Pending = pending;
            rotation.Step = RotationStep.Issued;
            rotation.IssueSent = false;
            rotation.Attempts = 0;
            rotation.NextAttemptAt = null;
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            ctx.Did($"issued {ops.Noun} {pending.Id} ({rotation.RotationId}) and saved it as pending");
            return OutcomeKind.Succeeded;
        }

        var error = result.Error!;
        rotation.Attempts++;

        // A possible orphan is a token NetSuite may have issued in an answer we did not see: no answer, a 5xx, or an
        // unreadable 2xx. A 4xx is NetSuite's answer that it refused (bad login, 2FA, permission): nothing was issued.
        if (error.MayHaveBeenProcessed && error.StatusCode is not (>= 400 and < 500))
        {
            RecordOrphan(ctx, rotation.RotationId, $"the issue request's answer was lost ({error.Code})");
            rotation.RotationId = NewRotationId(doc.Name, Now);
        }

        rotation.IssueSent = false;
        if (error.Class == NetSuiteErrorClass.NeedsPerson)
        {
            effects.RecordError(ctx, error, "issue", retry: false);
            Abandon(ctx, rotation.RotationId, $"NetSuite refused to issue a new {ops.Noun}: {error.Message}");
            await effects.NeedsPersonAsync(ctx, $"NetSuite refused to issue a new {ops.Noun} ({error.Code}): {error.Message} The current {ops.Noun} still works.", false, cancellationToken).ConfigureAwait(false);
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            return OutcomeKind.NeedsPerson;
        }

        effects.RecordError(ctx, error, "issue", retry: true);
        rotation.NextAttemptAt = doc.LastError!.RetryAt;
        await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        return OutcomeKind.Failed;
    }

    private async Task<OutcomeKind> VerifyAndPromoteAsync(RunContext ctx, IRotationOperations ops, RotationProgress rotation, CancellationToken cancellationToken)
    {
        var doc = ctx.Doc;
        var pending = doc.Credentials.Pending ?? throw new InvalidDataException($"Connection {doc.Name} is at step Issued without a pending credential.");
        var verify = await ops.VerifyAsync(ctx, pending, cancellationToken).ConfigureAwait(false);
        if (verify.Verified)
        {
            var grace = doc.Policy.GracePeriod ?? rotationOptions.Value.GracePeriod;
            var previous = doc.Credentials.Current;
            if (previous is not null)
            {
                previous.RetireAfter = Now + grace;
            }

            doc.Credentials.Previous = previous;
            doc.Credentials.Current = pending;
            doc.Credentials.Pending = null;
            rotation.Step = RotationStep.Promoted;
            rotation.Attempts = 0;
            rotation.NextAttemptAt = null;
            rotation.VerifyFailingSince = null;
            doc.LastRotationAt = Now;
            doc.LastSuccessAt = Now;
            ctx.Worked(Now, "rotation");
            ctx.ClearError();

            // A verified promotion answers whatever needed a person before (a refused issue, an abandoned verify).
            doc.Status = ConnectionStatus.Rotating;
            doc.NeedsPersonReason = null;

            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            await ops.PublishAsync(ctx, pending, cancellationToken).ConfigureAwait(false);
            ctx.Did($"verified and promoted {ops.Noun} {pending.Id}; {previous?.Id ?? "nothing"} is revoked after {previous?.RetireAfter:u}");
            telemetry.Succeeded(ctx.Name, ctx.Kind, "promote", pending.Id);
            return OutcomeKind.Succeeded;
        }

        if (verify.Mismatch is { } mismatch)
        {
            await AbandonPendingAsync(ctx, ops, pending, $"The new {ops.Noun} is for the wrong identity: {mismatch}", cancellationToken).ConfigureAwait(false);
            return OutcomeKind.NeedsPerson;
        }

        var error = verify.Error!;
        rotation.VerifyFailingSince ??= Now;
        rotation.Attempts++;
        var timeout = rotationOptions.Value.VerifyTimeout;
        if (Now - rotation.VerifyFailingSince.Value >= timeout || error.Class == NetSuiteErrorClass.NeedsPerson && error.Code is not "INVALID_LOGIN")
        {
            effects.RecordError(ctx, error, "verify", retry: false);
            var causes = error.LikelyCauses.Count > 0 ? $" Likely causes: {string.Join("; ", error.LikelyCauses)}." : "";
            await AbandonPendingAsync(ctx, ops, pending,
                $"The new {ops.Noun} could not be verified for {timeout.TotalHours:0.#} hours ({error.Code}: {error.Message}).{causes} An integration in \"Waiting for Approval\" or a role without the needed permission shows up here. The current {ops.Noun} still works.",
                cancellationToken).ConfigureAwait(false);
            return OutcomeKind.NeedsPerson;
        }

        effects.RecordError(ctx, error, "verify", retry: true);
        rotation.NextAttemptAt = ctx.Doc.LastError!.RetryAt;
        await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        return OutcomeKind.Failed;
    }

    private async Task AbandonPendingAsync(RunContext ctx, IRotationOperations ops, RotatedCredential pending, string reason, CancellationToken cancellationToken)
    {
        var revoked = await ops.RevokeAsync(ctx, pending, cancellationToken).ConfigureAwait(false);
        var doc = ctx.Doc;
        if (!revoked.IsSuccess)
        {
            RecordOrphan(ctx, pending.Name ?? pending.Id, $"the unverified pending {ops.Noun} could not be revoked ({revoked.Error!.Code})");
        }

        doc.Credentials.Pending = null;
        Abandon(ctx, doc.Rotation!.RotationId, reason);
        await effects.NeedsPersonAsync(ctx, reason, false, cancellationToken).ConfigureAwait(false);
        await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Null when nothing is due yet (grace not over).</summary>
    private async Task<OutcomeKind?> RetireAsync(RunContext ctx, IRotationOperations ops, bool refuseInGrace, bool force, CancellationToken cancellationToken)
    {
        var doc = ctx.Doc;
        var current = doc.Credentials.Current!;
        if (!ctx.Request.DryRun && !await ops.IsPublishedAsync(ctx, current, cancellationToken).ConfigureAwait(false))
        {
            await ops.PublishAsync(ctx, current, cancellationToken).ConfigureAwait(false);
            ctx.Did($"published {ops.Noun} {current.Id} to the consumer vault");
        }

        var previous = doc.Credentials.Previous;
        if (previous is not null && previous.RetireAfter is { } retireAfter && retireAfter > Now && !force)
        {
            if (ctx.Request.Rotate && refuseInGrace)
            {
                ctx.Did($"refused: {previous.Id} is in its grace period until {retireAfter:u}; a new rotation needs --force (which revokes it now)");
                return OutcomeKind.Conflict;
            }

            return null;
        }

        if (ctx.Request.DryRun)
        {
            ctx.Did(previous is null ? "would finish the rotation" : $"would revoke the previous {ops.Noun} {previous.Id}");
            return OutcomeKind.DryRun;
        }

        if (previous is not null)
        {
            if (previous.RetireAfter is { } graceEnd && graceEnd > Now)
            {
                // Forced: end the grace period durably before the revoke, so that a run dying after the revoke cannot
                // leave a revoked credential that a rollback would make current again.
                previous.RetireAfter = Now;
                await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            }

            var revoked = await ops.RevokeAsync(ctx, previous, cancellationToken).ConfigureAwait(false);
            if (!revoked.IsSuccess)
            {
                var rotation = doc.Rotation!;
                rotation.Attempts++;
                effects.RecordError(ctx, revoked.Error!, "retire", retry: true);
                rotation.NextAttemptAt = doc.LastError!.RetryAt;
                if (revoked.Error!.Class == NetSuiteErrorClass.NeedsPerson)
                {
                    await effects.NeedsPersonAsync(ctx,
                        $"The previous {ops.Noun} {previous.Id} could not be revoked ({revoked.Error.Code}: {revoked.Error.Message}). Revoke it in NetSuite or fix what the message names; retries continue on a growing backoff. The current {ops.Noun} works.",
                        false, cancellationToken).ConfigureAwait(false);
                }

                await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
                return OutcomeKind.Failed;
            }

            ctx.Did($"revoked the previous {ops.Noun} {previous.Id} ({revoked.Value})");
            telemetry.Succeeded(ctx.Name, ctx.Kind, "retire", previous.Id);
        }

        doc.Credentials.Previous = null;
        doc.Rotation = null;
        ctx.ClearError();
        if (doc.Status == ConnectionStatus.Rotating)
        {
            doc.Status = ConnectionStatus.Healthy;
        }

        await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        return OutcomeKind.Succeeded;
    }

    private void RecordOrphan(RunContext ctx, string tokenName, string reason)
    {
        if (ctx.Doc.PossibleOrphans.Any(o => o.TokenName == tokenName))
        {
            return;
        }

        ctx.Doc.PossibleOrphans.Add(new PossibleOrphan { TokenName = tokenName, RecordedAt = Now, Reason = reason });
        telemetry.PossibleOrphan(ctx.Name, ctx.Doc.Account, tokenName, reason);
        ctx.Did($"recorded possible orphan {tokenName}: {reason}");
    }

    private void Abandon(RunContext ctx, string rotationId, string reason)
    {
        ctx.Doc.Rotation = null;
        telemetry.Abandoned(ctx.Name, ctx.Kind, rotationId, reason);
    }
}
