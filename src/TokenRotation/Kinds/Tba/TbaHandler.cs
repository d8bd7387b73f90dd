using Microsoft.Extensions.Options;
using NetSuite.Auth;
using NetSuite.Auth.Tba;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Stores;

namespace TokenRotation.Kinds.Tba;

/// <summary>
/// TBA connections: imported after one identity check (<see cref="TbaIdentityCheck"/>) and published at once; rotated on
/// policy through the shared <see cref="CredentialRotationMachine"/> over <see cref="TbaRotationOperations"/>; checked on
/// a schedule with tokeninfo between rotations (architecture section 13, "Scheduled checks").
/// </summary>
internal sealed class TbaHandler(
    CredentialRotationMachine rotations, TbaRotationOperations operations, TbaIdentityCheck identity, IAccountGate gate, IConsumerPublisher consumers,
    RunEffects effects, IOptions<RotationOptions> rotationOptions, TimeProvider time)
    : ICredentialKindHandler
{
    /// <summary>The operation name of a scheduled check in the last error (<c>scheduled check: ...</c>).</summary>
    internal const string CheckOperation = "scheduled check";

    public ConnectionKind Kind => ConnectionKind.Tba;

    public void ValidateImport(ConnectionDocument document, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(problems);
        if (document.Tba is not { } t)
        {
            problems.Add("a TBA connection needs its consumer key and secret and the rotation user (tba)");
            return;
        }

        if (string.IsNullOrWhiteSpace(t.ConsumerKey) || string.IsNullOrEmpty(t.ConsumerSecret))
        {
            problems.Add("the consumer key and secret are required");
        }

        if (document.Credentials.Current is not { } cur || string.IsNullOrWhiteSpace(cur.Id) || string.IsNullOrEmpty(cur.Secret))
        {
            problems.Add("the current token id and secret are required");
        }

        if (string.IsNullOrWhiteSpace(t.User.Email) || string.IsNullOrEmpty(t.User.Password) || string.IsNullOrWhiteSpace(t.User.RoleId))
        {
            problems.Add("the rotation user's e-mail, password and role are required");
        }

        if (t.User.TotpSecret is { Length: > 0 } totp)
        {
            try
            {
                _ = Totp.DecodeBase32(totp);
            }
            catch (FormatException)
            {
                problems.Add("the TOTP secret is not valid base32 (use the text shown beside the QR code)");
            }
        }
    }

    public async Task<string?> PrepareImportAsync(ConnectionDocument document, bool dryRun, ICollection<string> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(actions);
        if (!dryRun && await CheckImportAsync(document, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return refusal;
        }

        actions.Add($"verified token {document.Credentials.Current!.Id} with tokeninfo (role {document.Tba!.ExpectedRoleId}, entity {document.Tba.ExpectedEntityId})");
        if (!dryRun)
        {
            document.Check = CredentialCheck.Worked(time.GetUtcNow(), "tokeninfo at import");
        }

        return null;
    }

    public async Task CompleteImportAsync(ConnectionDocument document, ILease lease, ICollection<string> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(actions);
        var tba = document.Tba!;
        var current = document.Credentials.Current!;
        lease.EnsureHeld();
        await consumers.PublishTbaAsync(ConnectionName.Parse(document.Name), new TbaProjection(document.Account, tba.ConsumerKey, tba.ConsumerSecret, current.Id, current.Secret!), cancellationToken).ConfigureAwait(false);
        actions.Add("published the TBA set to the consumer vault");
    }

    /// <summary>A rotation step when one is due; otherwise, outside a rotation, the token's scheduled check when it is due.</summary>
    public async Task<OutcomeKind> RunDueAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var outcome = await rotations.RunAsync(ctx, operations, cancellationToken).ConfigureAwait(false);
        if (outcome != OutcomeKind.NothingToDo || ctx.Doc.Rotation is not null || ctx.Doc.Credentials.Current is null || !IsCheckDue(ctx))
        {
            return outcome;
        }

        return await CheckAsync(ctx, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// In the daily sweep, when the check falls due before the next one (<see cref="ConnectionIndex.DailyCheckWindow"/>) and no
    /// person is needed already; in any sweep, at the retry time of a check that failed for a passing reason.
    /// </summary>
    private bool IsCheckDue(RunContext ctx)
    {
        var doc = ctx.Doc;
        var now = time.GetUtcNow();
        return (ctx.Request.StartRotations && doc.Status != ConnectionStatus.NeedsPerson
                && Scheduler.NextCheck(doc, rotationOptions.Value) <= now + ConnectionIndex.DailyCheckWindow)
            || (doc.LastError is { RetryAt: { } retry } error && retry <= now && IsCheckError(error));
    }

    /// <summary>
    /// Records a tokeninfo call that worked (in the index row) and, when an earlier check had failed, clears that failure:
    /// the connection is healthy again, a durable change (one state write).
    /// </summary>
    private async Task WorkedAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        ctx.Worked(now, "tokeninfo");
        if (ctx.Doc.LastError is { } last && IsCheckError(last))
        {
            ctx.ClearError();
            ctx.Doc.LastSuccessAt = now;
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            ctx.Did("the failure an earlier check found is gone");
        }
    }

    private static bool IsCheckError(LastError error) => error.Message.StartsWith(CheckOperation + ":", StringComparison.Ordinal);

    /// <summary>
    /// The scheduled check (architecture section 13): a signed tokeninfo call with the current token, which must show the
    /// expected account, role and entity. A check that changes nothing records itself in the index row only (no Key Vault
    /// write); a new failure is recorded on the connection with its cause (one state write), and the same failure found
    /// again is not written again.
    /// </summary>
    private async Task<OutcomeKind> CheckAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var doc = ctx.Doc;
        var current = doc.Credentials.Current!;
        if (ctx.Request.DryRun)
        {
            ctx.Did($"would check TBA token {current.Id} with tokeninfo (the scheduled check)");
            return OutcomeKind.DryRun;
        }

        var verify = await operations.VerifyAsync(ctx, current, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (verify.Verified)
        {
            ctx.Did($"checked TBA token {current.Id}: tokeninfo shows the expected account, role and entity");
            await WorkedAsync(ctx, cancellationToken).ConfigureAwait(false);
            return OutcomeKind.Succeeded;
        }

        ctx.CheckFailed(now);
        var error = verify.Mismatch is { } mismatch
            ? new NetSuiteError(NetSuiteErrorClass.NeedsPerson, "identity_mismatch", $"TBA token {current.Id} works but tokeninfo shows another identity: {mismatch}.")
            : verify.Error!;
        var needsPerson = error.Class == NetSuiteErrorClass.NeedsPerson;
        var outcome = needsPerson ? OutcomeKind.NeedsPerson : OutcomeKind.Failed;
        var same = doc.LastError is { } known && IsCheckError(known) && known.Code == error.Code ? known : null;
        if (same is { RetryAt: null } && error.Class != NetSuiteErrorClass.Transient && doc.Status is ConnectionStatus.Failing or ConnectionStatus.NeedsPerson)
        {
            // Nothing changed since the last check: the index row records this one; no state write.
            ctx.Did($"TBA token {current.Id} still fails its check ({error.Code}), as recorded at {same.At:u}");
            return outcome;
        }

        // A passing failure is retried on the growing backoff; "Invalid login attempt" (overload, or a revoked token) twice,
        // then it waits for the next scheduled check. What only a person can fix waits for it at once.
        var attempts = (same?.Attempts ?? 0) + 1;
        var retry = error.Class == NetSuiteErrorClass.Transient || (error.Class == NetSuiteErrorClass.Ambiguous && attempts <= 2);
        var causes = error.LikelyCauses.Count > 0 ? $" Likely causes: {string.Join("; ", error.LikelyCauses)}." : "";
        effects.RecordError(ctx, error, CheckOperation, retry);
        var reason = $"The scheduled check of TBA token {current.Id} failed ({error.Code}): {error.Message}{causes} A revoked token, an integration record set to Blocked or Waiting for Approval, or a sandbox refresh shows up here. Fix it in NetSuite, or replace the token: `nstoken rotate {doc.Name} --force`.";
        if (needsPerson)
        {
            await effects.NeedsPersonAsync(ctx, reason, false, cancellationToken).ConfigureAwait(false);
        }
        else if (doc.Status == ConnectionStatus.Healthy)
        {
            doc.Status = ConnectionStatus.Failing;
        }

        await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        ctx.Did($"the scheduled check of TBA token {current.Id} failed ({error.Code}): {error.Message}{causes}");
        return outcome;
    }

    /// <summary>A TBA token never expires: tokeninfo checks it, and the TBA set is re-published if the consumer vault lacks it.</summary>
    public async Task<OutcomeKind> VerifyAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var current = ctx.Doc.Credentials.Current;
        if (current is null)
        {
            ctx.Did("no current TBA token to check");
            return OutcomeKind.Refused;
        }

        if (ctx.Request.DryRun)
        {
            ctx.Did($"would check TBA token {current.Id} with tokeninfo and re-publish the TBA set if the consumer vault lacks it (TBA tokens do not expire: `nstoken rotate {ctx.Name}` replaces one)");
            return OutcomeKind.DryRun;
        }

        var verify = await operations.VerifyAsync(ctx, current, cancellationToken).ConfigureAwait(false);
        if (!verify.Verified)
        {
            if (verify.Mismatch is { } mismatch)
            {
                ctx.Did($"TBA token {current.Id} works but is for another identity: {mismatch}");
                return OutcomeKind.NeedsPerson;
            }

            var error = verify.Error!;
            var causes = error.LikelyCauses.Count > 0 ? $" Likely causes: {string.Join("; ", error.LikelyCauses)}." : "";
            ctx.Did($"tokeninfo did not accept TBA token {current.Id} ({error.Code}): {error.Message}{causes}{(error.AuditTrailHint is null ? "" : " " + error.AuditTrailHint)}");
            return error.Class == NetSuiteErrorClass.NeedsPerson ? OutcomeKind.NeedsPerson : OutcomeKind.Failed;
        }

        ctx.Did($"TBA token {current.Id} works (tokeninfo shows the expected account, role and entity); TBA tokens do not expire, so there is nothing to refresh");
        await WorkedAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (!await operations.IsPublishedAsync(ctx, current, cancellationToken).ConfigureAwait(false))
        {
            await operations.PublishAsync(ctx, current, cancellationToken).ConfigureAwait(false);
            ctx.Did("re-published the TBA set to the consumer vault");
        }

        return OutcomeKind.Succeeded;
    }

    public Task<OutcomeKind> RollbackAsync(RunContext ctx, CancellationToken cancellationToken) => rotations.RollbackAsync(ctx, operations, cancellationToken);

    public IReadOnlyList<Revocation> Revocations(RunContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var slots = ctx.Doc.Credentials;
        return new[] { slots.Current, slots.Pending, slots.Previous }.OfType<RotatedCredential>()
            .Select(token => new Revocation($"TBA token {token.Id}", ct => operations.RevokeAsync(ctx, token, ct)))
            .ToArray();
    }

    /// <summary>The import's check: the token works, in the connection's account and the expected role; pins role and entity.</summary>
    private async Task<string?> CheckImportAsync(ConnectionDocument document, CancellationToken cancellationToken)
    {
        var tba = document.Tba!;
        var current = document.Credentials.Current!;
        var account = NetSuiteAccountId.Parse(document.Account);
        TbaIdentity checkedIdentity;
        await using (await gate.EnterAsync(document.Account, cancellationToken).ConfigureAwait(false))
        {
            // The entity is not checked here: the token's is pinned when none is given.
            checkedIdentity = await identity.CheckAsync(account, tba, current, tba.ExpectedRoleId, expectedEntity: null, cancellationToken).ConfigureAwait(false);
        }

        if (checkedIdentity.Error is { } error)
        {
            var causes = error.LikelyCauses.Count > 0 ? $" Likely causes: {string.Join("; ", error.LikelyCauses)}." : "";
            return $"NetSuite did not accept token {current.Id} ({error.Code}: {error.Message}).{causes}";
        }

        switch (checkedIdentity.Mismatches.Count > 0 ? checkedIdentity.Mismatches[0] : null)
        {
            case { Field: TbaIdentityField.Account } wrongAccount:
                return $"Token {current.Id} belongs to account {wrongAccount.Found}, not {account}.";
            case { Field: TbaIdentityField.Role } wrongRole:
                return $"Token {current.Id} is for role {wrongRole.Found}, not the expected role {wrongRole.Expected}.";
        }

        var info = checkedIdentity.Info!;
        tba.ExpectedRoleId ??= info.RoleId;
        tba.ExpectedEntityId ??= info.EntityId;
        if (tba.User.RoleId != tba.ExpectedRoleId && tba.ExpectedRoleId is not null)
        {
            return $"The rotation user's role {tba.User.RoleId} differs from the token's role {tba.ExpectedRoleId}: issuetoken issues tokens for the NLAuth role, so they must match.";
        }

        return null;
    }
}
