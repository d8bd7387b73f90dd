using Microsoft.Extensions.DependencyInjection;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// Never lock the NetSuite user (architecture section 5): an NLAuth login NetSuite refused as invalid credentials is never
/// sent again with the same password, on any path and across the connections that share the user.
/// </summary>
public sealed class NLAuthLockoutTests(ITestOutputHelper output)
{
    private const string Account = EngineHarness.Account;
    private const string WrongPassword = "not the password";
    private const string RightPassword = "correct horse battery staple";

    /// <summary>NLAuth logins NetSuite refused for a bad password (its audit trail).</summary>
    private static int RefusedLogins(EngineHarness h) =>
        h.Simulator.State.AuditTrail.Count(e => e.Detail is "InvalidPassword" or "temporary_locked");

    /// <summary>A TBA connection whose token NetSuite already refuses, so that revoking it falls back to the user's NLAuth login.</summary>
    private static async Task ImportWithDeadTokenAsync(EngineHarness h, string name, SimIntegration integration, string password)
    {
        var doc = h.TbaConnection(name, integration);
        doc.Tba!.User.Password = password;
        await h.SaveNewAsync(doc);
        Assert.True(h.Simulator.State.RevokeTbaToken(Account, doc.Credentials.Current!.Id));
    }

    private static async Task SetPasswordAsync(EngineHarness h, string name, string password)
    {
        // The credential update command is a later issue; the store is the seam for it here.
        var doc = (await h.GetAsync(name))!;
        doc.Tba!.User.Password = password;
        doc.Generation++;
        await h.Store.SaveAsync(doc, Scheduler.Index(doc, new Configuration.RotationOptions()));
    }

    [Fact]
    public async Task Delete_retried_six_times_after_a_bad_password_logs_in_once_across_two_connections_of_the_user_until_the_password_changes()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await ImportWithDeadTokenAsync(h, "tba-del-a", integration, WrongPassword);
        await ImportWithDeadTokenAsync(h, "tba-del-b", integration, WrongPassword);

        var outcomes = new List<ConnectionOutcome>();
        for (var i = 0; i < 6; i++)
        {
            outcomes.Add(await h.Lifecycle.DeleteAsync(N(i % 2 == 0 ? "tba-del-a" : "tba-del-b"), dryRun: false, force: false));
            h.Time.Advance(TimeSpan.FromMinutes(1));
        }

        foreach (var outcome in outcomes)
        {
            output.WriteLine($"{outcome.Connection}: {outcome.Kind}: {outcome.Message}");
        }

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Refused, o.Kind));
        Assert.Equal(1, RefusedLogins(h));
        var user = h.Simulator.State.GetUser(Account, EngineHarness.UserEmail);
        Assert.Null(user.LockedUntil);
        Assert.Contains(EngineHarness.UserEmail, outcomes[^1].Message, StringComparison.Ordinal);
        Assert.Contains("not sent again", outcomes[^1].Message, StringComparison.Ordinal);
        var b = (await h.GetAsync("tba-del-b"))!;
        Assert.Equal(ConnectionStatus.NeedsPerson, b.Status);
        Assert.Equal("INVALID_LOGIN_CREDENTIALS", b.LastError!.Code);
        Assert.DoesNotContain(WrongPassword, h.Logs.AllText(), StringComparison.Ordinal);

        // A person fixes the password of one connection: its login is tried again, and it succeeds.
        await SetPasswordAsync(h, "tba-del-a", RightPassword);
        var fixedDelete = await h.Lifecycle.DeleteAsync(N("tba-del-a"), dryRun: false, force: false);
        output.WriteLine($"after the password change: {fixedDelete.Kind}: {fixedDelete.Message}");
        Assert.Equal(OutcomeKind.Succeeded, fixedDelete.Kind);
        Assert.Null(await h.GetAsync("tba-del-a"));
        Assert.Equal(1, RefusedLogins(h));
    }

    [Fact]
    public async Task A_changed_but_still_wrong_password_is_tried_once_more_and_then_refused_again()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await ImportWithDeadTokenAsync(h, "tba-del-c", integration, WrongPassword);
        await h.Lifecycle.DeleteAsync(N("tba-del-c"), dryRun: false, force: false);
        await h.Lifecycle.DeleteAsync(N("tba-del-c"), dryRun: false, force: false);
        Assert.Equal(1, RefusedLogins(h));

        await SetPasswordAsync(h, "tba-del-c", "another wrong password");
        await h.Lifecycle.DeleteAsync(N("tba-del-c"), dryRun: false, force: false);
        await h.Lifecycle.DeleteAsync(N("tba-del-c"), dryRun: false, force: false);

        Assert.Equal(2, RefusedLogins(h));
    }

    [Fact]
    public async Task Rotation_after_a_refused_password_on_another_connection_of_the_user_does_not_log_in()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await ImportWithDeadTokenAsync(h, "tba-del-d", integration, WrongPassword);
        var rotating = h.TbaConnection("tba-rot-e", integration);
        rotating.Tba!.User.Password = WrongPassword;
        await h.SaveNewAsync(rotating);
        await h.Lifecycle.DeleteAsync(N("tba-del-d"), dryRun: false, force: false);
        Assert.Equal(1, RefusedLogins(h));

        var outcome = await h.Processor.RunAsync(N("tba-rot-e"), RotateNow);

        output.WriteLine($"{outcome.Kind}: {outcome.Message}");
        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        Assert.Equal(1, RefusedLogins(h));
        Assert.Empty(Audit(h.Simulator, SimEndpoint.IssueToken));
        Assert.Contains("not sent again", (await h.GetAsync("tba-rot-e"))!.NeedsPersonReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_TOTP_secret_given_after_a_refused_login_re_arms_the_login()
    {
        // The user's authenticator was re-enrolled in NetSuite: the password is right, the TOTP code is not.
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var doc = h.TbaConnection("tba-totp-g", integration);
        await h.SaveNewAsync(doc);
        var user = h.Simulator.State.GetUser(Account, EngineHarness.UserEmail);
        user.TotpSecret = NetSuite.Simulator.Protocol.Totp.NewSecret();
        var refused = await h.Processor.RunAsync(N("tba-totp-g"), RotateNow);
        Assert.Equal(OutcomeKind.NeedsPerson, refused.Kind);

        // A person gives the connection the new secret (nstoken update), then proves it (nstoken rotate).
        var updater = ActivatorUtilities.CreateInstance<CredentialUpdater>(h.Services);
        var updated = await updater.UpdateAsync(N("tba-totp-g"), new CredentialChanges { TotpSecret = user.TotpSecret }, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, updated.Kind);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var proved = await h.Processor.RunAsync(N("tba-totp-g"), RotateNow);

        output.WriteLine($"{proved.Kind}: {proved.Message}");
        Assert.Equal(OutcomeKind.Succeeded, proved.Kind);
        Assert.NotEqual(doc.Credentials.Current!.Id, (await h.GetAsync("tba-totp-g"))!.Credentials.Current!.Id);
    }

    [Fact]
    public async Task The_refusal_kept_on_the_connection_holds_even_when_the_per_user_record_is_gone()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await ImportWithDeadTokenAsync(h, "tba-del-f", integration, WrongPassword);
        await h.Lifecycle.DeleteAsync(N("tba-del-f"), dryRun: false, force: false);
        Assert.NotNull((await h.GetAsync("tba-del-f"))!.Tba!.User.RefusedPasswordFingerprint);
        Assert.DoesNotContain(WrongPassword, (await h.GetAsync("tba-del-f"))!.Tba!.User.RefusedPasswordFingerprint!, StringComparison.Ordinal);

        // As in a new CLI process with local stores: the per-user record did not survive, the connection's did.
        await ((ILoginRefusalStore)h.Services.GetRequiredService<ITotpStepStore>()).ClearRefusalAsync(Account, EngineHarness.UserEmail);
        var again = await h.Lifecycle.DeleteAsync(N("tba-del-f"), dryRun: false, force: false);

        Assert.Equal(OutcomeKind.Refused, again.Kind);
        Assert.Equal(1, RefusedLogins(h));
    }
}
