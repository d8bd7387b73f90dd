using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>TBA rotations that cannot finish: a verify that keeps failing, and logins NetSuite refuses.</summary>
public sealed class TbaFailureTests(ITestOutputHelper output)
{
    private const string Account = EngineHarness.Account;

    [Fact]
    public async Task Verify_that_keeps_failing_keeps_the_current_token_retries_with_backoff_then_revokes_the_pending_one_and_needs_a_person()
    {
        await using var h = await EngineHarness.StartAsync();

        // The record is installed by the first issuetoken, and this account wants approval for auto-installed records:
        // the new token is issued, then every call of the integration is blocked ("Waiting for Approval").
        var integration = h.SeedAccount(spec: new IntegrationSpec { RedirectUris = [RedirectUri], Installed = false, RequireApprovalOnAutoInstall = true });
        var doc = h.TbaConnection("tba-wait", integration);
        var original = doc.Credentials.Current!.Id;
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(doc, dryRun: false)).Kind);
        h.Time.Advance(TimeSpan.FromDays(91));

        var first = await h.Processor.RunAsync(N("tba-wait"), Daily);

        Assert.Equal(OutcomeKind.Failed, first.Kind);
        Assert.Equal(IntegrationState.WaitingForApproval, h.Simulator.State.GetIntegration(Account, integration.ClientId).State);
        var pending = (await h.GetAsync("tba-wait"))!.Credentials.Pending!.Id;
        var failingSince = h.Time.GetUtcNow();

        // Retried with growing delays; nothing happens before a retry is due; the current token stays current and published.
        var attempts = new List<DateTimeOffset> { failingSince };
        for (var i = 0; i < 20; i++)
        {
            var current = (await h.GetAsync("tba-wait"))!;
            Assert.Equal(original, current.Credentials.Current!.Id);
            Assert.Equal(original, await TbaRotationTests.PublishedTokenIdAsync(h, "tba-wait"));
            if (current.Rotation is null)
            {
                break;
            }

            Assert.Equal(RotationStep.Issued, current.Rotation.Step);
            Assert.Equal(pending, current.Credentials.Pending!.Id);
            var due = current.Rotation.NextAttemptAt!.Value;
            var verifies = VerifyCalls(h, pending);
            h.Time.Advance(due - h.Time.GetUtcNow() - TimeSpan.FromSeconds(10));
            Assert.Empty(await SweepAndProcessAsync(h));
            Assert.Equal(verifies, VerifyCalls(h, pending));

            h.Time.Advance(TimeSpan.FromSeconds(11));
            Assert.Single(await SweepAndProcessAsync(h));
            Assert.True(VerifyCalls(h, pending) > verifies, "The due retry did not verify again.");
            attempts.Add(h.Time.GetUtcNow());
        }

        var delays = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        output.WriteLine("verify attempts after: " + string.Join(", ", delays.Select(d => $"{d.TotalMinutes:0.#} min")));
        Assert.True(delays.Count >= 4, $"Only {delays.Count} retries before giving up.");
        Assert.True(delays[0] >= TimeSpan.FromMinutes(1));
        for (var i = 1; i < delays.Count; i++)
        {
            Assert.True(delays[i] > delays[i - 1], $"Retry {i + 1} came after {delays[i]}, not later than the one before ({delays[i - 1]}).");
        }

        var gaveUpAt = attempts[^1];
        Assert.True(gaveUpAt - failingSince >= TimeSpan.FromHours(6), "Gave up before Rotation:VerifyTimeout (6 h).");
        Assert.True(gaveUpAt - attempts[^2] <= TimeSpan.FromHours(6) && gaveUpAt - failingSince < TimeSpan.FromHours(12), "Gave up long after the timeout.");

        var final = (await h.GetAsync("tba-wait"))!;
        Assert.Null(final.Rotation);
        Assert.Null(final.Credentials.Pending);
        Assert.Equal(original, final.Credentials.Current!.Id);
        Assert.Equal(ConnectionStatus.NeedsPerson, final.Status);
        Assert.Contains("Waiting for Approval", final.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Contains("Likely causes", final.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Contains("role without the needed permission", final.NeedsPersonReason, StringComparison.Ordinal);
        var tokens = TbaTokens(h.Simulator, Account);
        Assert.Equal(TokenStatus.Revoked, Assert.Single(tokens, t => t.Id == pending).Status);
        Assert.Equal(TokenStatus.Active, Assert.Single(tokens, t => t.Id == original).Status);
        Assert.Empty(final.PossibleOrphans);

        // Nobody starts another rotation on their own while a person is needed.
        var issues = Audit(h.Simulator, SimEndpoint.IssueToken).Count;
        for (var day = 0; day < 3; day++)
        {
            h.Time.Advance(TimeSpan.FromDays(1));
            Assert.Empty(await SweepAndProcessAsync(h, daily: true));
        }

        Assert.Equal(issues, Audit(h.Simulator, SimEndpoint.IssueToken).Count);
    }

    [Fact]
    public async Task Wrong_password_needs_a_person_and_issuetoken_is_never_tried_again()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var doc = h.TbaConnection("tba-password", integration);
        doc.Tba!.User.Password = "not the password";
        var original = doc.Credentials.Current!.Id;
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(doc, dryRun: false)).Kind);
        h.Time.Advance(TimeSpan.FromDays(91));

        var outcome = Assert.Single(await SweepAndProcessAsync(h, daily: true));

        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        var after = (await h.GetAsync("tba-password"))!;
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Equal("INVALID_LOGIN_CREDENTIALS", after.LastError!.Code);
        Assert.Null(after.LastError.RetryAt);
        Assert.Contains("INVALID_LOGIN_CREDENTIALS", after.NeedsPersonReason, StringComparison.Ordinal);
        await AssertNoFurtherIssueAsync(h, "tba-password", original);

        // NetSuite answered: nothing was issued, so there is no possible orphan, and the user is one failure from nothing.
        Assert.Empty((await h.GetAsync("tba-password"))!.PossibleOrphans);
        var user = h.Simulator.State.GetUser(Account, EngineHarness.UserEmail);
        Assert.Equal(1, user.FailedLoginCount);
        Assert.Null(user.LockedUntil);
    }

    [Fact]
    public async Task Two_factor_role_without_a_totp_secret_needs_a_person()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount(twoFactor: true);
        var doc = h.TbaConnection("tba-2fa", integration);
        doc.Tba!.User.TotpSecret = null;
        var original = doc.Credentials.Current!.Id;
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(doc, dryRun: false)).Kind);
        h.Time.Advance(TimeSpan.FromDays(91));

        var outcome = Assert.Single(await SweepAndProcessAsync(h, daily: true));

        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        var after = (await h.GetAsync("tba-2fa"))!;
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Equal("TWO_FA_REQD", after.LastError!.Code);
        Assert.Contains("TWO_FA_REQD", after.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Contains("still works", after.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Equal("TwoFactorRequired", Assert.Single(Audit(h.Simulator, SimEndpoint.IssueToken)).Detail);
        await AssertNoFurtherIssueAsync(h, "tba-2fa", original);
        Assert.Empty((await h.GetAsync("tba-2fa"))!.PossibleOrphans);
    }

    /// <summary>Several days of sweeps (frequent and daily): one issuetoken in all, the current token untouched and published.</summary>
    private static async Task AssertNoFurtherIssueAsync(EngineHarness h, string name, string original)
    {
        for (var i = 0; i < 8; i++)
        {
            h.Time.Advance(TimeSpan.FromHours(12));
            await SweepAndProcessAsync(h, daily: i % 2 == 1);
        }

        Assert.Single(Audit(h.Simulator, SimEndpoint.IssueToken));
        var doc = (await h.GetAsync(name))!;
        Assert.Null(doc.Rotation);
        Assert.Equal(original, doc.Credentials.Current!.Id);
        Assert.Equal(original, await TbaRotationTests.PublishedTokenIdAsync(h, name));
        Assert.Equal([original], h.Simulator.State.ActiveTbaTokens(Account).Select(t => t.TokenId));
    }

    private static int VerifyCalls(EngineHarness h, string tokenId) =>
        h.Simulator.State.AuditTrail.Count(e => e.Endpoint == SimEndpoint.TokenInfo && e.TokenRef == tokenId);

    [Fact]
    public async Task After_a_sandbox_refresh_rotate_now_force_gets_a_new_token_although_the_wiped_previous_one_cannot_be_revoked()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await h.SaveNewAsync(h.TbaConnection("tba-wiped", integration));
        Assert.Equal(OutcomeKind.Succeeded, (await h.Processor.RunAsync(N("tba-wiped"), RotateNow)).Kind);
        Assert.NotNull((await h.GetAsync("tba-wiped"))!.Credentials.Previous);

        // The sandbox is refreshed from production: the current and the previous token are gone from NetSuite.
        h.Simulator.State.RefreshSandbox(EngineHarness.Account);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var forced = await h.Processor.RunAsync(N("tba-wiped"), RotateNow with { Force = true });

        output.WriteLine($"{forced.Kind}: {forced.Message}");
        Assert.Equal(OutcomeKind.Succeeded, forced.Kind);
        var current = (await h.GetAsync("tba-wiped"))!.Credentials.Current!.Id;
        Assert.Equal(TokenStatus.Active, Assert.Single(h.Simulator.State.TokensFor(EngineHarness.Account), t => t.Id == current).Status);
    }

    [Fact]
    public async Task A_rollback_to_a_previous_token_NetSuite_revoked_is_refused_and_the_working_token_stays_current()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await h.SaveNewAsync(h.TbaConnection("tba-back", integration));
        Assert.Equal(OutcomeKind.Succeeded, (await h.Processor.RunAsync(N("tba-back"), RotateNow)).Kind);
        var promoted = (await h.GetAsync("tba-back"))!;
        Assert.True(h.Simulator.State.RevokeTbaToken(EngineHarness.Account, promoted.Credentials.Previous!.Id));

        var rollback = await h.Lifecycle.RollbackAsync(N("tba-back"), dryRun: false);

        output.WriteLine($"{rollback.Kind}: {rollback.Message}");
        Assert.Equal(OutcomeKind.Refused, rollback.Kind);
        Assert.Equal(promoted.Credentials.Current!.Id, (await h.GetAsync("tba-back"))!.Credentials.Current!.Id);
        Assert.Contains(promoted.Credentials.Previous.Id, rollback.Message, StringComparison.Ordinal);
    }
}
