using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Stores;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// Every credential is checked on a schedule (architecture section 13, "Scheduled checks"): a healthy connection is imported,
/// a person breaks it in NetSuite, and within one day of sweeps (the frequent sweep every 5 minutes, the daily one at 03:30)
/// the connection is Failing or NeedsPerson with the cause, as the status (CLI, status page, operator API) shows it.
/// </summary>
public sealed class ScheduledCheckTests(ITestOutputHelper output)
{
    private const string Account = EngineHarness.Account;

    [Fact]
    public async Task A_revoked_TBA_token_is_seen_within_a_day_with_its_cause()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var doc = await ImportTbaAsync(h, "tba-revoked", integration);

        h.Simulator.State.RevokeTbaToken(Account, doc.Credentials.Current!.Id);
        await DayOfSweepsAsync(h);

        var view = await ViewAsync(h, "tba-revoked");
        AssertBroken(view, "scheduled check");
    }

    [Theory]
    [InlineData(IntegrationState.Blocked)]
    [InlineData(IntegrationState.WaitingForApproval)]
    public async Task A_TBA_integration_set_to_blocked_or_waiting_for_approval_is_seen_within_a_day_with_its_cause(IntegrationState state)
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await ImportTbaAsync(h, "tba-record", integration);

        h.Simulator.State.SetIntegrationState(Account, integration.ClientId, state);
        await DayOfSweepsAsync(h);

        var view = await ViewAsync(h, "tba-record");
        AssertBroken(view, "scheduled check");
    }

    [Fact]
    public async Task A_sandbox_refresh_is_seen_within_a_day_by_TBA_OAuth2_and_client_credentials_connections()
    {
        await using var h = await ClientCredentialsTests.StartAsync();
        var (_, integration) = await ClientCredentialsTests.ImportAsync(h, "m2m-sandbox");
        await ImportTbaAsync(h, "tba-sandbox", integration);
        var oauth = h.Simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = [RedirectUri] });
        await h.SaveNewAsync(await h.ConsentedOAuth2ConnectionAsync("oauth-sandbox", oauth, publicClient: false));

        // A first hour of sweeps: every connection works (the mint and the refresh publish their access tokens).
        await SweepsAsync(h, TimeSpan.FromHours(1));
        foreach (var name in new[] { "m2m-sandbox", "tba-sandbox", "oauth-sandbox" })
        {
            Assert.Equal(ConnectionStatus.Healthy, (await ViewAsync(h, name)).State);
        }

        h.Simulator.State.RefreshSandbox(Account);
        await DayOfSweepsAsync(h);

        AssertBroken(await ViewAsync(h, "tba-sandbox"), "scheduled check");
        AssertBroken(await ViewAsync(h, "oauth-sandbox"), "refresh");
        AssertBroken(await ViewAsync(h, "m2m-sandbox"), "mint");
    }

    [Fact]
    public async Task A_client_credentials_certificate_removed_in_NetSuite_is_seen_within_a_day_with_its_cause()
    {
        await using var h = await ClientCredentialsTests.StartAsync();
        var (doc, _) = await ClientCredentialsTests.ImportAsync(h, "m2m-removed");
        await SweepsAsync(h, TimeSpan.FromHours(1));
        Assert.Equal(ConnectionStatus.Healthy, (await ViewAsync(h, "m2m-removed")).State);

        Assert.True(h.Simulator.State.RevokeCertificate(Account, doc.Credentials.Current!.Id));
        await DayOfSweepsAsync(h);

        var view = await ViewAsync(h, "m2m-removed");
        AssertBroken(view, "mint");
        Assert.Contains(doc.Credentials.Current.Id, view.NeedsPersonReason ?? view.LastErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_healthy_check_writes_no_Key_Vault_secret_and_an_OAuth2_refresh_is_its_own_check()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await ImportTbaAsync(h, "tba-healthy", integration);
        var oauth = h.Simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = [RedirectUri] });
        await h.SaveNewAsync(await h.ConsentedOAuth2ConnectionAsync("oauth-healthy", oauth, publicClient: false));
        await SweepsAsync(h, TimeSpan.FromHours(1));
        var imported = (await h.GetAsync("tba-healthy"))!.StoredIndex!;
        Assert.Equal("tokeninfo at import", imported.WorkedBy);

        var stateWrites = h.StateVault.Counters.Writes + h.StateVault.Counters.PropertyUpdates;
        var consumerWrites = h.ConsumerVault.Counters.Writes;
        var tokenInfo = Audit(h.Simulator, SimEndpoint.TokenInfo).Count;
        var refreshes = Audit(h.Simulator, SimEndpoint.Token).Count;
        var start = h.Time.GetUtcNow();
        var outcomes = await SweepsAsync(h, TimeSpan.FromDays(2));

        // The TBA token was checked (a tokeninfo call a day), and the checks wrote nothing to either vault.
        var checks = Audit(h.Simulator, SimEndpoint.TokenInfo).Count - tokenInfo;
        Assert.InRange(checks, 2, 3);
        Assert.Equal(stateWrites, h.StateVault.Counters.Writes + h.StateVault.Counters.PropertyUpdates);
        var tba = (await h.GetAsync("tba-healthy"))!.StoredIndex!;
        Assert.Equal("tokeninfo", tba.WorkedBy);
        Assert.True(tba.WorkedAt > start, $"The TBA token's check was last recorded at {tba.WorkedAt:u}.");
        Assert.Equal(tba.WorkedAt, tba.CheckedAt);

        // The OAuth 2.0 connection refreshed within the period: the refreshes are its checks, and nothing else was sent.
        var refreshed = outcomes.Count(o => o.Connection == "oauth-healthy" && o.Kind == OutcomeKind.Succeeded);
        Assert.True(refreshed >= 40, $"{refreshed} refreshes in two days");
        Assert.Equal(refreshed, Audit(h.Simulator, SimEndpoint.Token).Count - refreshes);
        Assert.DoesNotContain(h.Simulator.State.AuditTrail, e => e.Time > start && e.ClientId == oauth.ClientId && e.Endpoint is not SimEndpoint.Token);
        Assert.Equal(refreshed, h.ConsumerVault.Counters.Writes - consumerWrites);
        var oauthIndex = (await h.GetAsync("oauth-healthy"))!.StoredIndex!;
        Assert.Equal("refresh", oauthIndex.WorkedBy);
        Assert.True(oauthIndex.WorkedAt > h.Time.GetUtcNow() - TimeSpan.FromHours(1));
        output.WriteLine($"{checks} TBA checks and {refreshed} refreshes in two days; state-vault writes {h.StateVault.Counters.Writes}");
    }

    [Fact]
    public async Task A_check_that_keeps_failing_stops_writing_once_its_failure_is_recorded_and_a_fixed_token_is_healthy_again()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await ImportTbaAsync(h, "tba-blocked", integration);
        var checksAfterImport = Audit(h.Simulator, SimEndpoint.TokenInfo).Count;
        h.Simulator.State.SetIntegrationState(Account, integration.ClientId, IntegrationState.Blocked);
        await DayOfSweepsAsync(h);
        AssertBroken(await ViewAsync(h, "tba-blocked"), "scheduled check");

        // "Invalid login attempt" may be overload: tried again twice on the backoff (minutes), then left for the next check.
        // (LastError.Attempts counts on the backoff's schedule, RunEffects.RecordError, so the calls are counted here.)
        await SweepsAsync(h, TimeSpan.FromHours(1));
        Assert.Equal(3, Audit(h.Simulator, SimEndpoint.TokenInfo).Count - checksAfterImport);
        Assert.Null((await h.GetAsync("tba-blocked"))!.LastError!.RetryAt);

        // Three more days blocked: checked every day, and nothing new to write.
        var writes = h.StateVault.Counters.Writes;
        var checks = Audit(h.Simulator, SimEndpoint.TokenInfo).Count;
        await SweepsAsync(h, TimeSpan.FromDays(3));
        Assert.Equal(writes, h.StateVault.Counters.Writes);
        Assert.InRange(Audit(h.Simulator, SimEndpoint.TokenInfo).Count - checks, 3, 4);

        // A person enables the record again: the next check clears the failure.
        h.Simulator.State.SetIntegrationState(Account, integration.ClientId, IntegrationState.Enabled);
        await DayOfSweepsAsync(h);
        var view = await ViewAsync(h, "tba-blocked");
        Assert.Equal(ConnectionStatus.Healthy, view.State);
        Assert.Null(view.LastErrorMessage);
    }

    private static async Task<ConnectionDocument> ImportTbaAsync(EngineHarness h, string name, SimIntegration integration)
    {
        var doc = h.TbaConnection(name, integration);
        var outcome = await h.Imports.ImportAsync(doc, dryRun: false);
        Assert.True(outcome.Kind == OutcomeKind.Succeeded, $"{outcome.Kind}: {outcome.Message}");
        return doc;
    }

    private static async Task<ConnectionStatusView> ViewAsync(EngineHarness h, string name) =>
        Assert.Single(await h.Status.StatusAsync(), v => v.Name == name);

    /// <summary>Failing or NeedsPerson, with the failed operation and NetSuite's code in what the status shows.</summary>
    private void AssertBroken(ConnectionStatusView view, string operation)
    {
        output.WriteLine($"{view.Name}: {view.State}, {view.LastErrorCode}: {view.LastErrorMessage} | {view.NeedsPersonReason}");
        Assert.True(view.State is ConnectionStatus.Failing or ConnectionStatus.NeedsPerson, $"{view.Name} is {view.State}");
        Assert.False(string.IsNullOrEmpty(view.LastErrorCode), $"{view.Name} shows no error code");
        Assert.StartsWith(operation + ":", view.LastErrorMessage, StringComparison.Ordinal);
    }

    /// <summary>One day of sweeps.</summary>
    private static Task<IReadOnlyList<ConnectionOutcome>> DayOfSweepsAsync(EngineHarness h) => SweepsAsync(h, TimeSpan.FromDays(1));

    /// <summary>The app's timers on the fake clock: the frequent sweep every 5 minutes, the daily sweep at 03:30 UTC.</summary>
    private static async Task<IReadOnlyList<ConnectionOutcome>> SweepsAsync(EngineHarness h, TimeSpan span)
    {
        var outcomes = new List<ConnectionOutcome>();
        var end = h.Time.GetUtcNow() + span;
        while (h.Time.GetUtcNow() < end)
        {
            var before = h.Time.GetUtcNow();
            h.Time.Advance(TimeSpan.FromMinutes(5));
            var now = h.Time.GetUtcNow();
            var dailyAt = now.UtcDateTime.Date + new TimeSpan(3, 30, 0);
            var daily = before.UtcDateTime < dailyAt && now.UtcDateTime >= dailyAt;
            outcomes.AddRange(await PumpAsync(h.Time, SweepAndProcessAsync(h, daily), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)));
        }

        return outcomes;
    }
}
