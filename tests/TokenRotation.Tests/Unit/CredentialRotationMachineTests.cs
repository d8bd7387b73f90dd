using NetSuite.Auth;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// The one rotation state machine (architecture section 4) over scripted rotation operations, in memory: the order of
/// its side effects, what it keeps through failures and crashes, and when it revokes.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CredentialRotationMachineTests : IDisposable
{
    private const string Name = "tba-orders";

    private static readonly RunRequest Frequent = RunRequest.Sweep(startRotations: false);
    private static readonly RunRequest Daily = RunRequest.Sweep(startRotations: true);

    private readonly MachineWorld _world = new();
    private readonly ScriptedRotationOperations _ops;

    public CredentialRotationMachineTests()
    {
        _ops = new ScriptedRotationOperations(_world);
        _world.Seed(UnitDocuments.Tba(Name, MachineWorld.Start - TimeSpan.FromDays(100)));
    }

    public void Dispose() => _world.Dispose();

    private async Task<OutcomeKind> RunAsync(RunRequest request) =>
        (await _world.RunAsync(Name, request, ctx => _world.RotationMachine().RunAsync(ctx, _ops, CancellationToken.None))).Result;

    private ConnectionDocument Stored => _world.Stored(Name);

    private static NetSuiteError Error(NetSuiteErrorClass errorClass, string code, int? status, bool mayHaveBeenProcessed = true) =>
        new(errorClass, code, $"{code} from the script") { StatusCode = status, MayHaveBeenProcessed = mayHaveBeenProcessed };

    private int IndexOf(Func<SideEffect, bool> match)
    {
        var index = _world.Effects.FindIndex(e => match(e));
        Assert.True(index >= 0, "Expected side effect not found in: " + string.Join(" | ", _world.Effects));
        return index;
    }

    [Fact]
    public async Task A_due_rotation_persists_its_intent_before_the_issue_and_the_pending_token_before_the_verify_and_publishes_after_promoting()
    {
        Assert.Equal(OutcomeKind.Succeeded, await RunAsync(Daily));

        var intent = IndexOf(e => e.Kind == SideEffect.StateWrite && e.Written!.Rotation is { Step: RotationStep.Intent, IssueSent: true });
        var issue = IndexOf(e => e.Kind == SideEffect.Issue);
        var pending = IndexOf(e => e.Kind == SideEffect.StateWrite && e.Written!.Credentials.Pending?.Id == "token-1");
        var verify = IndexOf(e => e.Kind == SideEffect.Verify && e.Detail == "token-1");
        var promoted = IndexOf(e => e.Kind == SideEffect.StateWrite && e.Written!.Credentials.Current?.Id == "token-1");
        var publish = IndexOf(e => e.Kind == SideEffect.Publish && e.Detail == "token-1");
        Assert.True(intent < issue && issue < pending && pending < verify && verify < promoted && promoted < publish, string.Join(" | ", _world.Effects));

        // The intent names the token NetSuite is asked for, so a crash after the issue can name what may exist.
        var rotationId = _world.Effects[intent].Written!.Rotation!.RotationId;
        Assert.Equal(rotationId, _world.Effects[issue].Detail);
        Assert.Equal(rotationId, Stored.Credentials.Current!.Name);

        // Until the promotion every stored version keeps the original token current.
        Assert.All(_world.Effects.Take(promoted).Where(e => e.Kind == SideEffect.StateWrite),
            e => Assert.Equal(UnitDocuments.OriginalTokenId, e.Written!.Credentials.Current!.Id));

        var stored = Stored;
        Assert.Equal(RotationStep.Promoted, stored.Rotation!.Step);
        Assert.Equal(UnitDocuments.OriginalTokenId, stored.Credentials.Previous!.Id);
        Assert.Equal(_world.Now + _world.Rotation.GracePeriod, stored.Credentials.Previous.RetireAfter);
        Assert.Null(stored.Credentials.Pending);
        Assert.Empty(_ops.Revoked);
    }

    [Fact]
    public async Task The_previous_token_is_revoked_only_once_the_grace_period_is_over_and_then_dropped()
    {
        await RunAsync(Daily);
        var retireAfter = Stored.Credentials.Previous!.RetireAfter!.Value;
        Assert.Equal(retireAfter, Stored.StoredIndex!.NextActionAt);

        _world.Time.SetUtcNow(retireAfter - TimeSpan.FromMinutes(1));
        Assert.Equal(OutcomeKind.NothingToDo, await RunAsync(Frequent));
        Assert.Equal(OutcomeKind.NothingToDo, await RunAsync(Daily));
        Assert.Empty(_ops.Revoked);

        _world.Time.SetUtcNow(retireAfter);
        Assert.Equal(OutcomeKind.Succeeded, await RunAsync(Frequent));
        Assert.Equal([UnitDocuments.OriginalTokenId], _ops.Revoked);
        var stored = Stored;
        Assert.Null(stored.Credentials.Previous);
        Assert.Null(stored.Rotation);
        Assert.Equal(ConnectionStatus.Healthy, stored.Status);
        Assert.Equal("token-1", stored.Credentials.Current!.Id);
        var (revoked, working, inStore, published) = Assert.Single(_ops.RevokesWithCurrent);
        Assert.Equal(UnitDocuments.OriginalTokenId, revoked);
        Assert.All(new[] { working, inStore, published }, current => Assert.Equal("token-1", current));

        // Nothing is due any more on the frequent sweep; the daily one starts the next rotation after the interval.
        Assert.Null(stored.StoredIndex!.NextActionAt);
        Assert.Equal(stored.Credentials.Current.IssuedAt + _world.Rotation.TbaRotationInterval, stored.StoredIndex.RotateAt);
    }

    [Fact]
    public async Task A_verify_that_keeps_failing_is_retried_on_backoff_and_after_the_timeout_the_pending_token_is_revoked_and_the_current_one_kept()
    {
        _ops.VerifyAnswer = _ => VerifyResult.Failed(Error(NetSuiteErrorClass.Transient, "HTTP_503", 503));
        var started = _world.Now;
        Assert.Equal(OutcomeKind.Failed, await RunAsync(Daily));
        var stored = Stored;
        Assert.Equal(RotationStep.Issued, stored.Rotation!.Step);
        Assert.Equal("token-1", stored.Credentials.Pending!.Id);
        Assert.Equal(UnitDocuments.OriginalTokenId, stored.Credentials.Current!.Id);
        Assert.True(stored.Rotation.NextAttemptAt > _world.Now);
        Assert.Equal(stored.Rotation.NextAttemptAt, stored.StoredIndex!.NextActionAt);

        // Before the retry time a sweep does not call NetSuite again.
        Assert.Equal(OutcomeKind.NothingToDo, await RunAsync(Frequent));
        Assert.Equal(1, _ops.Verifies);

        for (var run = 0; run < 50 && Stored.Rotation is { } rotation; run++)
        {
            _world.Time.SetUtcNow(rotation.NextAttemptAt!.Value);
            await RunAsync(Frequent);
        }

        stored = Stored;
        Assert.Null(stored.Rotation);
        Assert.Null(stored.Credentials.Pending);
        Assert.Equal(UnitDocuments.OriginalTokenId, stored.Credentials.Current!.Id);
        Assert.Equal(ConnectionStatus.NeedsPerson, stored.Status);
        Assert.Contains("could not be verified", stored.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Equal(["token-1"], _ops.Revoked);
        Assert.True(_world.Now - started >= _world.Rotation.VerifyTimeout, $"gave up after {_world.Now - started}");
        Assert.True(_ops.Verifies > 2);
        Assert.Equal(UnitDocuments.OriginalTokenId, _ops.PublishedId);

        // A person is needed now: the daily sweep does not start another rotation on its own.
        _world.Time.Advance(TimeSpan.FromDays(1));
        var before = _world.Effects.Count;
        Assert.Equal(OutcomeKind.NothingToDo, await RunAsync(Daily));
        Assert.DoesNotContain(_world.EffectsSince(before), e => e.Kind == SideEffect.Issue);
    }

    [Fact]
    public async Task A_new_token_for_the_wrong_identity_is_revoked_and_never_becomes_current()
    {
        _ops.VerifyAnswer = _ => VerifyResult.WrongIdentity("role 1001 instead of 1000");
        Assert.Equal(OutcomeKind.NeedsPerson, await RunAsync(Daily));

        var stored = Stored;
        Assert.Equal(UnitDocuments.OriginalTokenId, stored.Credentials.Current!.Id);
        Assert.Null(stored.Credentials.Pending);
        Assert.Null(stored.Rotation);
        Assert.Equal(["token-1"], _ops.Revoked);
        Assert.Contains("role 1001 instead of 1000", stored.NeedsPersonReason, StringComparison.Ordinal);
        Assert.DoesNotContain(_world.Effects, e => e.Kind == SideEffect.StateWrite && e.Written!.Credentials.Current!.Id == "token-1");
        Assert.Equal(UnitDocuments.OriginalTokenId, _ops.PublishedId);
    }

    [Fact]
    public async Task An_issue_whose_answer_was_lost_is_recorded_as_a_possible_orphan_by_name_and_retried_under_a_new_name()
    {
        var calls = 0;
        _ops.IssueAnswer = _ => ++calls == 1 ? NetSuiteResult<RotatedCredential>.Failure(Error(NetSuiteErrorClass.Transient, "HTTP_502", 502)) : null;
        _ops.IssueLandsAnyway = true;

        Assert.Equal(OutcomeKind.Failed, await RunAsync(Daily));
        _ops.IssueLandsAnyway = false;
        var lost = _ops.IssuedTokens.Single().Name;
        var stored = Stored;
        Assert.Equal(lost, Assert.Single(stored.PossibleOrphans).TokenName);
        Assert.NotEqual(lost, stored.Rotation!.RotationId);
        Assert.Equal(UnitDocuments.OriginalTokenId, stored.Credentials.Current!.Id);

        _world.Time.SetUtcNow(stored.Rotation.NextAttemptAt!.Value);
        Assert.Equal(OutcomeKind.Succeeded, await RunAsync(Frequent));
        stored = Stored;
        Assert.Equal(stored.Credentials.Current!.Name, _ops.IssuedTokens[1].Name);
        Assert.NotEqual(lost, stored.Credentials.Current.Name);
        Assert.Single(stored.PossibleOrphans);
    }

    [Fact]
    public async Task A_refused_issue_records_no_orphan_keeps_the_current_token_and_waits_for_a_person()
    {
        _ops.IssueAnswer = _ => NetSuiteResult<RotatedCredential>.Failure(Error(NetSuiteErrorClass.NeedsPerson, "USER_ERROR", 400));
        Assert.Equal(OutcomeKind.NeedsPerson, await RunAsync(Daily));

        var stored = Stored;
        Assert.Empty(stored.PossibleOrphans);
        Assert.Null(stored.Rotation);
        Assert.Equal(ConnectionStatus.NeedsPerson, stored.Status);
        Assert.Equal(UnitDocuments.OriginalTokenId, stored.Credentials.Current!.Id);
        Assert.Null(stored.StoredIndex!.RotateAt);

        // Only an explicit rotate starts again while a person is needed; when it succeeds the connection is healthy.
        _ops.IssueAnswer = _ => null;
        Assert.Equal(OutcomeKind.NothingToDo, await RunAsync(Daily));
        Assert.Equal(OutcomeKind.Succeeded, await RunAsync(new RunRequest { Rotate = true, Now = true, Trigger = "rotate-now" }));
        Assert.Equal(ConnectionStatus.Rotating, Stored.Status);
        Assert.Null(Stored.NeedsPersonReason);
    }

    [Fact]
    public async Task A_run_that_died_after_the_issue_request_names_the_token_it_may_have_lost_and_the_next_run_converges()
    {
        _ops.CrashAfter = SideEffect.Issue;
        await Assert.ThrowsAsync<SimulatedCrash>(() => RunAsync(Daily));
        var stored = Stored;
        Assert.Equal(RotationStep.Intent, stored.Rotation!.Step);
        Assert.True(stored.Rotation.IssueSent);
        Assert.True(stored.StoredIndex!.IsDue(_world.Now), "a rotation stopped mid-way must be due at once");
        var lost = _ops.IssuedTokens.Single();
        Assert.False(lost.AnswerSeen);

        Assert.Equal(OutcomeKind.Succeeded, await RunAsync(Frequent));
        stored = Stored;
        Assert.Equal(lost.Name, Assert.Single(stored.PossibleOrphans).TokenName);
        Assert.Equal("token-2", stored.Credentials.Current!.Id);
        Assert.NotEqual(lost.Name, stored.Credentials.Current.Name);
        Assert.Equal(UnitDocuments.OriginalTokenId, stored.Credentials.Previous!.Id);
    }

    [Fact]
    public async Task A_promotion_that_landed_without_its_publish_is_published_by_the_next_run_before_anything_is_revoked()
    {
        _world.Store.CrashAfterWrite = d => d.Rotation?.Step == RotationStep.Promoted;
        await Assert.ThrowsAsync<SimulatedCrash>(() => RunAsync(Daily));
        Assert.Equal("token-1", Stored.Credentials.Current!.Id);
        Assert.Equal(UnitDocuments.OriginalTokenId, _ops.PublishedId);

        var before = _world.Effects.Count;
        Assert.Equal(OutcomeKind.NothingToDo, await RunAsync(Frequent));
        Assert.Equal("token-1", _ops.PublishedId);
        Assert.DoesNotContain(_world.EffectsSince(before), e => e.Kind == SideEffect.Revoke);

        _world.Time.SetUtcNow(Stored.Credentials.Previous!.RetireAfter!.Value);
        await RunAsync(Frequent);
        Assert.Equal([UnitDocuments.OriginalTokenId], _ops.Revoked);
    }

    [Fact]
    public async Task A_rotation_asked_for_during_grace_is_refused_without_force_and_with_force_revokes_the_previous_token_first()
    {
        await RunAsync(Daily);
        Assert.Equal(OutcomeKind.Conflict, await RunAsync(new RunRequest { Rotate = true, Now = true }));
        Assert.Empty(_ops.Revoked);
        Assert.Equal("token-1", Stored.Credentials.Current!.Id);

        var before = _world.Effects.Count;
        Assert.Equal(OutcomeKind.Succeeded, await RunAsync(new RunRequest { Rotate = true, Now = true, Force = true }));
        var effects = _world.EffectsSince(before);
        var revoke = effects.ToList().FindIndex(e => e.Kind == SideEffect.Revoke);
        var issue = effects.ToList().FindIndex(e => e.Kind == SideEffect.Issue);
        Assert.True(revoke >= 0 && revoke < issue, string.Join(" | ", effects));
        Assert.Equal([UnitDocuments.OriginalTokenId], _ops.Revoked);
        var stored = Stored;
        Assert.Equal("token-2", stored.Credentials.Current!.Id);
        Assert.Equal("token-1", stored.Credentials.Previous!.Id);
        Assert.All(_ops.RevokesWithCurrent, r => Assert.NotEqual(r.Revoked, r.Stored));
    }

    [Fact]
    public async Task A_rollback_during_grace_makes_the_previous_token_current_again_and_revokes_the_newer_one_only_after_a_new_grace_period()
    {
        await RunAsync(Daily);
        _world.Time.Advance(TimeSpan.FromHours(1));
        var (rolledBack, _) = await _world.RunAsync(Name, new RunRequest { Trigger = "rollback" }, ctx => _world.RotationMachine().RollbackAsync(ctx, _ops, CancellationToken.None));
        Assert.Equal(OutcomeKind.Succeeded, rolledBack);

        var stored = Stored;
        Assert.Equal(UnitDocuments.OriginalTokenId, stored.Credentials.Current!.Id);
        Assert.Null(stored.Credentials.Current.RetireAfter);
        Assert.Equal("token-1", stored.Credentials.Previous!.Id);
        Assert.Equal(_world.Now + _world.Rotation.GracePeriod, stored.Credentials.Previous.RetireAfter);
        Assert.Equal(UnitDocuments.OriginalTokenId, _ops.PublishedId);
        Assert.Empty(_ops.Revoked);

        _world.Time.SetUtcNow(stored.Credentials.Previous.RetireAfter!.Value - TimeSpan.FromSeconds(1));
        await RunAsync(Frequent);
        Assert.Empty(_ops.Revoked);
        _world.Time.Advance(TimeSpan.FromSeconds(1));
        await RunAsync(Frequent);
        Assert.Equal(["token-1"], _ops.Revoked);
        Assert.Equal(UnitDocuments.OriginalTokenId, Stored.Credentials.Current!.Id);
    }

    [Fact]
    public async Task A_rollback_after_the_grace_period_is_refused_because_the_previous_token_may_already_be_revoked()
    {
        await RunAsync(Daily);

        // The retire's revoke lands in NetSuite and the run dies before it can drop the previous token.
        _world.Time.SetUtcNow(Stored.Credentials.Previous!.RetireAfter!.Value);
        _ops.CrashAfter = SideEffect.Revoke;
        await Assert.ThrowsAsync<SimulatedCrash>(() => RunAsync(Frequent));
        Assert.Equal([UnitDocuments.OriginalTokenId], _ops.Revoked);
        Assert.Equal(UnitDocuments.OriginalTokenId, Stored.Credentials.Previous!.Id);

        var (outcome, ctx) = await _world.RunAsync(Name, new RunRequest(), c => _world.RotationMachine().RollbackAsync(c, _ops, CancellationToken.None));
        Assert.Equal(OutcomeKind.Refused, outcome);
        Assert.Contains(ctx.Actions, a => a.Contains("nothing to roll back", StringComparison.Ordinal));
        Assert.Equal("token-1", Stored.Credentials.Current!.Id);
        Assert.Equal("token-1", _ops.PublishedId);
    }

    [Fact]
    public async Task A_forced_rotation_that_died_after_revoking_the_previous_token_in_its_grace_period_leaves_nothing_to_roll_back()
    {
        await RunAsync(Daily);
        _world.Time.Advance(TimeSpan.FromHours(1));
        _ops.CrashAfter = SideEffect.Revoke;
        await Assert.ThrowsAsync<SimulatedCrash>(() => RunAsync(new RunRequest { Rotate = true, Now = true, Force = true }));
        Assert.Equal([UnitDocuments.OriginalTokenId], _ops.Revoked);

        var (outcome, _) = await _world.RunAsync(Name, new RunRequest(), c => _world.RotationMachine().RollbackAsync(c, _ops, CancellationToken.None));
        Assert.Equal(OutcomeKind.Refused, outcome);
        Assert.Equal("token-1", Stored.Credentials.Current!.Id);
        Assert.Equal("token-1", _ops.PublishedId);

        // The next run finishes the retire and goes on as usual.
        await RunAsync(Frequent);
        Assert.Null(Stored.Credentials.Previous);
        Assert.Equal("token-1", Stored.Credentials.Current!.Id);
    }

    [Fact]
    public async Task Nothing_to_roll_back_outside_a_grace_period_is_refused_and_changes_nothing()
    {
        var (outcome, ctx) = await _world.RunAsync(Name, new RunRequest(), c => _world.RotationMachine().RollbackAsync(c, _ops, CancellationToken.None));
        Assert.Equal(OutcomeKind.Refused, outcome);
        Assert.Contains(ctx.Actions, a => a.Contains("nothing to roll back", StringComparison.Ordinal));
        Assert.Empty(_world.Effects);
    }

    [Fact]
    public async Task A_failed_revoke_of_the_previous_token_is_retried_on_backoff_while_the_current_token_stays()
    {
        await RunAsync(Daily);
        _ops.RevokeAnswer = _ => NetSuiteResult<string>.Failure(Error(NetSuiteErrorClass.Transient, "HTTP_500", 500));
        _world.Time.SetUtcNow(Stored.Credentials.Previous!.RetireAfter!.Value);
        Assert.Equal(OutcomeKind.Failed, await RunAsync(Frequent));
        var stored = Stored;
        Assert.Equal(UnitDocuments.OriginalTokenId, stored.Credentials.Previous!.Id);
        Assert.Equal("token-1", stored.Credentials.Current!.Id);
        Assert.True(stored.Rotation!.NextAttemptAt > _world.Now);
        Assert.Equal(stored.Rotation.NextAttemptAt, stored.StoredIndex!.NextActionAt);

        _ops.RevokeAnswer = _ => NetSuiteResult<string>.Success("revoked");
        _world.Time.SetUtcNow(stored.Rotation.NextAttemptAt!.Value);
        Assert.Equal(OutcomeKind.Succeeded, await RunAsync(Frequent));
        Assert.Equal([UnitDocuments.OriginalTokenId], _ops.Revoked);
        Assert.Null(Stored.Rotation);
    }

    [Fact]
    public async Task Only_a_daily_sweep_or_an_explicit_rotate_starts_a_rotation_and_a_dry_run_writes_nothing()
    {
        Assert.Equal(OutcomeKind.NothingToDo, await RunAsync(Frequent));
        _ops.Due = false;
        Assert.Equal(OutcomeKind.NothingToDo, await RunAsync(Daily));
        Assert.Equal(OutcomeKind.DryRun, await RunAsync(new RunRequest { Rotate = true, DryRun = true }));
        Assert.Empty(_world.Effects);

        Assert.Equal(OutcomeKind.Succeeded, await RunAsync(new RunRequest { Rotate = true, Now = true }));
        Assert.Equal("token-1", Stored.Credentials.Current!.Id);
    }

    [Fact]
    public async Task No_secret_reaches_the_logs_of_a_rotation_with_failures()
    {
        var calls = 0;
        _ops.VerifyAnswer = _ => ++calls == 1 ? VerifyResult.Failed(Error(NetSuiteErrorClass.Ambiguous, "INVALID_LOGIN", 401)) : VerifyResult.Ok;
        await RunAsync(Daily);
        _world.Time.SetUtcNow(Stored.Rotation!.NextAttemptAt!.Value);
        await RunAsync(Frequent);
        _world.Time.SetUtcNow(Stored.Credentials.Previous!.RetireAfter!.Value);
        await RunAsync(Frequent);

        Assert.NotEmpty(_world.Logs.Entries);
        var text = _world.Logs.AllText();
        Assert.DoesNotContain("secret-of-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", text, StringComparison.Ordinal);
    }
}
