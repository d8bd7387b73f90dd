using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using NetSuite.Auth.OAuth2;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Stores;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>The OAuth 2.0 refresh machine (architecture section 4, last paragraph) against the simulator.</summary>
public sealed class OAuth2RefreshTests(ITestOutputHelper output)
{
    private const string Account = EngineHarness.Account;

    private static async Task<SimIntegration> ImportAndConsentAsync(EngineHarness h, string name, IntegrationSpec spec)
    {
        var integration = h.SeedAccount(spec: spec with { RedirectUris = [RedirectUri] });
        var imported = await h.Imports.ImportAsync(new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = Account,
            OAuth2 = new OAuth2Definition
            {
                ClientId = integration.ClientId,
                ClientSecret = spec.PublicClient ? null : integration.ClientSecret,
                IsPublicClient = spec.PublicClient,
                MaxRotationHours = integration.MaxTokenRotationHours,
                RedirectUri = RedirectUri,
            },
        }, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, imported.Kind);
        var consented = await h.Consents.CompleteConsentAsync(N(name), await ConsentAsync(h.Simulator, Account, integration.ClientId));
        Assert.Equal(OutcomeKind.Succeeded, consented.Kind);
        return integration;
    }

    private static string Tag(EngineHarness h, string name, string tag) =>
        h.StateVault.State.GetSecret(SecretNames.State(N(name)))!.Tags.GetValueOrDefault(tag) ?? "";

    private static long StateWrites(EngineHarness h, string name) => h.StateVault.Counters.ForSecret(SecretNames.State(N(name))).Writes;

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_holder_that_lost_its_lease_during_the_refresh_call_does_not_publish_the_new_access_token()
    {
        var hooks = new NetSuiteHooks();
        await using var h = await EngineHarness.StartAsync(overrides: services => hooks.Install(services));
        await ImportAndConsentAsync(h, "fenced", new IntegrationSpec());
        var consumerSecret = SecretNames.Consumer(N("fenced"));
        var published = (await h.Consumers.GetAsync(N("fenced")))!;
        var writesBefore = h.ConsumerVault.Counters.ForSecret(consumerSecret).Writes;
        var refreshes = 0;

        // The connection's lease is broken while NetSuite answers the refresh (as when another instance took it over):
        // the new access token must not be published, since the new holder may already have published a newer one.
        hooks.AfterResponse = (request, response) =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/oauth2/v1/token", StringComparison.Ordinal) && response.IsSuccessStatusCode && refreshes++ == 0)
            {
                ((InMemoryLeaseProvider)h.Services.GetRequiredService<ILeaseProvider>()).Break(ConnectionProcessor.LeaseKey(N("fenced")));
            }

            return Task.CompletedTask;
        };

        h.Time.Advance(TimeSpan.FromMinutes(50));
        var thrown = await Record.ExceptionAsync(() => h.Processor.RunAsync(N("fenced"), RunRequest.Sweep(false)));

        Assert.IsType<LeaseLostException>(thrown);
        Assert.Equal(1, refreshes);
        Assert.Equal(writesBefore, h.ConsumerVault.Counters.ForSecret(consumerSecret).Writes);
        Assert.Equal(published.Value, (await h.Consumers.GetAsync(N("fenced")))!.Value);

        // The next run (with the lease) refreshes again and publishes.
        hooks.AfterResponse = null;
        var next = await h.Processor.RunAsync(N("fenced"), RunRequest.Sweep(false));
        Assert.Equal(OutcomeKind.Succeeded, next.Kind);
        Assert.Equal(writesBefore + 1, h.ConsumerVault.Counters.ForSecret(consumerSecret).Writes);
        Assert.NotEqual(published.Value, (await h.Consumers.GetAsync(N("fenced")))!.Value);
    }

    [Fact]
    public async Task A_refresh_refused_for_a_blocked_integration_waits_for_a_person_on_a_slow_backoff_and_heals_when_fixed()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAndConsentAsync(h, "blocked", new IntegrationSpec());
        h.Simulator.State.SetIntegrationState(Account, integration.ClientId, IntegrationState.Blocked);

        h.Time.Advance(TimeSpan.FromMinutes(50));
        var refused = await h.Processor.RunAsync(N("blocked"), RunRequest.Sweep(false));
        var doc = (await h.GetAsync("blocked"))!;
        output.WriteLine($"{refused.Kind}: {refused.Message}");
        Assert.Equal(ConnectionStatus.NeedsPerson, doc.Status);
        Assert.NotNull(doc.LastError!.RetryAt);
        Assert.NotNull(doc.OAuth2!.RefreshToken);

        // Not picked up by the next sweeps: no NetSuite call, no state write while it waits.
        var writes = StateWrites(h, "blocked");
        var audit = h.Simulator.State.AuditTrail.Count;
        h.Time.Advance(TimeSpan.FromSeconds(30)); // less than the first backoff (Engine:BaseRetryDelay = 1 min here)
        Assert.Equal(0, (await h.Sweeps.SweepAsync(startRotations: false)).Due);
        Assert.Equal(writes, StateWrites(h, "blocked"));
        Assert.Equal(audit, h.Simulator.State.AuditTrail.Count);

        // A person unblocks the integration; the slow retry notices and the connection is healthy again.
        h.Simulator.State.SetIntegrationState(Account, integration.ClientId, IntegrationState.Enabled);
        h.Time.Advance(doc.LastError.RetryAt!.Value - h.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var healed = await h.Processor.RunAsync(N("blocked"), RunRequest.Sweep(false));
        Assert.Equal(OutcomeKind.Succeeded, healed.Kind);
        var after = (await h.GetAsync("blocked"))!;
        Assert.Equal(ConnectionStatus.Healthy, after.Status);
        Assert.Null(after.LastError);
        Assert.Null(after.NeedsPersonReason);
    }

    [Fact]
    public async Task Confidential_client_refreshes_without_state_writes_warns_ahead_of_the_end_and_stops_after_it()
    {
        await using var h = await EngineHarness.StartAsync();
        var consentedAt = h.Time.GetUtcNow();
        await ImportAndConsentAsync(h, "conf", new IntegrationSpec { ConfidentialRefreshTokenLifetime = TimeSpan.FromDays(5) });

        // The refresh token's end is read from its exp (this record's lifetime is 5 days, not NetSuite's default 7).
        var doc = (await h.GetAsync("conf"))!;
        var refresh = Assert.Single(h.Simulator.State.TokensFor(Account), t => t.Kind == TokenKind.OAuth2Refresh);
        Assert.Equal(consentedAt + TimeSpan.FromDays(5), refresh.ExpiresAt);
        Assert.Equal(refresh.ExpiresAt, doc.OAuth2!.RefreshTokenExpiresAt);
        Assert.Equal(Format(refresh.ExpiresAt!.Value), Tag(h, "conf", ConnectionIndex.RefreshExpiresAtTag));
        var end = refresh.ExpiresAt.Value;

        // A refresh publishes the access token with ExpiresOn = its exp, and writes no state version.
        var stateWrites = StateWrites(h, "conf");
        var consumerVersions = h.ConsumerVault.State.VersionCount("netsuite-conf");
        h.Time.Advance(TimeSpan.FromMinutes(50));
        var refreshed = await SweepAndProcessAsync(h);
        Assert.Equal(OutcomeKind.Succeeded, Assert.Single(refreshed).Kind);
        Assert.Equal(stateWrites, StateWrites(h, "conf"));
        Assert.Equal(consumerVersions + 1, h.ConsumerVault.State.VersionCount("netsuite-conf"));
        var published = h.ConsumerVault.State.GetSecret("netsuite-conf")!;
        var facts = NetSuiteTokenFacts.Read(published.Value);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromHours(1), facts.ExpiresAt);
        Assert.Equal(facts.ExpiresAt, published.ExpiresOn);
        Assert.Equal(Format(facts.ExpiresAt), Tag(h, "conf", ConnectionIndex.CredentialExpiresAtTag));
        Assert.Equal(TokenStatus.Active, Assert.Single(h.Simulator.State.TokensFor(Account), t => t.Id == facts.TokenId).Status);

        // Hourly sweeps up to the warning: refreshes only, no state write.
        var warningAt = end - TimeSpan.FromHours(48);
        while (h.Time.GetUtcNow() + TimeSpan.FromHours(1) < warningAt)
        {
            h.Time.Advance(TimeSpan.FromHours(1));
            await SweepAndProcessAsync(h);
        }

        Assert.Equal(stateWrites, StateWrites(h, "conf"));
        Assert.Equal(ConnectionStatus.Healthy, (await h.GetAsync("conf"))!.Status);

        // The warning: NeedsPerson in the index (state tag, status, one NeedsPerson event with a consent link), no new
        // state version (architecture section 3: a confidential client's state changes on consent only), and refreshing
        // continues until the end.
        h.Time.Advance(warningAt - h.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var warned = Assert.Single(await SweepAndProcessAsync(h));
        Assert.Equal(ConnectionStatus.NeedsPerson, warned.Status);
        Assert.Contains("Consent link: https://func-test.example.net/api/consent/", warned.Message, StringComparison.Ordinal);
        Assert.Equal("NeedsPerson", Tag(h, "conf", ConnectionIndex.StateTag));
        var view = Assert.Single(await h.Status.StatusAsync(), v => v.Name == "conf");
        Assert.Equal(ConnectionStatus.NeedsPerson, view.State);
        Assert.Contains("refreshing continues", view.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Contains(Format(end).Replace('T', ' '), view.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Equal(stateWrites, StateWrites(h, "conf"));

        var refreshesBefore = Audit(h.Simulator, SimEndpoint.Token).Count;
        while (h.Time.GetUtcNow() + TimeSpan.FromHours(1) < end)
        {
            h.Time.Advance(TimeSpan.FromHours(1));
            var outcome = Assert.Single(await SweepAndProcessAsync(h));
            Assert.Equal(ConnectionStatus.NeedsPerson, outcome.Status);
        }

        var refreshesDuringWarning = Audit(h.Simulator, SimEndpoint.Token).Count - refreshesBefore;
        output.WriteLine($"refreshes during the 48 h warning: {refreshesDuringWarning}");
        Assert.InRange(refreshesDuringWarning, 40, 48);
        Assert.Equal(stateWrites, StateWrites(h, "conf"));
        Assert.True(Audit(h.Simulator, SimEndpoint.Token).All(e => e.Success), "A refresh failed during the warning.");
        var lastPublished = NetSuiteTokenFacts.Read(h.ConsumerVault.State.GetSecret("netsuite-conf")!.Value);
        Assert.True(lastPublished.ExpiresAt > end - TimeSpan.FromHours(1), "Refreshing stopped before the refresh token's end.");
        Assert.Single(h.Logs.Entries, e => e.EventId.Id == 1005 && e.StateValues.Contains("Connection=conf,", StringComparison.Ordinal));

        // After the end: NeedsPerson, and from then on no NetSuite call, no state write, nothing due.
        h.Time.Advance(end - h.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        await SweepAndProcessAsync(h);
        var ended = (await h.GetAsync("conf"))!;
        Assert.Equal(ConnectionStatus.NeedsPerson, ended.Status);
        Assert.Contains("expired", ended.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Equal(stateWrites + 1, StateWrites(h, "conf"));
        var callsAtEnd = h.Simulator.State.AuditTrail.Count;
        var writesAtEnd = StateWrites(h, "conf");
        for (var i = 0; i < 12; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(5));
            var sweep = await h.Sweeps.SweepAsync(startRotations: i == 11);
            Assert.Equal(0, sweep.Due);
        }

        Assert.Equal(OutcomeKind.NeedsPerson, (await h.Processor.RunAsync(N("conf"), Frequent)).Kind);
        Assert.Equal(callsAtEnd, h.Simulator.State.AuditTrail.Count);
        Assert.Equal(writesAtEnd, StateWrites(h, "conf"));
    }

    [Fact]
    public async Task Revoked_chain_gives_invalid_grant_needs_a_person_with_a_consent_link_and_no_retries()
    {
        await using var h = await EngineHarness.StartAsync();
        await ImportAndConsentAsync(h, "conf-revoked", new IntegrationSpec());
        var doc = (await h.GetAsync("conf-revoked"))!;
        var chain = NetSuiteTokenFacts.Read(doc.OAuth2!.RefreshToken!).TokenId!;
        Assert.True(h.Simulator.State.RevokeOAuth2Chain(Account, chain) > 0);

        h.Time.Advance(TimeSpan.FromMinutes(50));
        var outcome = Assert.Single(await SweepAndProcessAsync(h));

        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        Assert.Contains("invalid_grant", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("Consent link: https://func-test.example.net/api/consent/", outcome.Message, StringComparison.Ordinal);
        var after = (await h.GetAsync("conf-revoked"))!;
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Contains("Consent again", after.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Equal("invalid_grant", after.LastError!.Code);
        Assert.Null(after.LastError.RetryAt);

        // Nothing retries a refused refresh token: no call and no write on later sweeps.
        var refreshes = Audit(h.Simulator, SimEndpoint.Token).Count;
        var writes = StateWrites(h, "conf-revoked");
        for (var i = 0; i < 6; i++)
        {
            h.Time.Advance(TimeSpan.FromHours(1));
            Assert.Empty(await SweepAndProcessAsync(h, daily: i == 5));
        }

        Assert.Equal(refreshes, Audit(h.Simulator, SimEndpoint.Token).Count);
        Assert.Equal(writes, StateWrites(h, "conf-revoked"));

        // A new consent brings it back.
        var integration = h.Simulator.State.GetIntegration(Account, doc.OAuth2.ClientId);
        Assert.Equal(OutcomeKind.Succeeded, (await h.Consents.CompleteConsentAsync(N("conf-revoked"), await ConsentAsync(h.Simulator, Account, integration.ClientId))).Kind);
        h.Time.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(OutcomeKind.Succeeded, Assert.Single(await SweepAndProcessAsync(h)).Kind);
    }

    [Fact]
    public async Task Public_client_persists_the_new_refresh_token_before_publishing_and_its_chain_ends_at_oit_plus_max_rotation()
    {
        await using var h = await EngineHarness.StartAsync();
        var consentedAt = h.Time.GetUtcNow();
        var integration = await ImportAndConsentAsync(h, "pub", new IntegrationSpec { PublicClient = true, MaxTokenRotationHours = 100, RefreshTokenValidityHours = 24 });
        h.Effects.Reset();

        h.Time.Advance(TimeSpan.FromMinutes(50));
        var outcome = Assert.Single(await SweepAndProcessAsync(h));

        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        var log = h.Effects.Log;
        output.WriteLine(string.Join(Environment.NewLine, log));
        var call = IndexOf(log, "netsuite POST suitetalk/services/rest/auth/oauth2/v1/token -> 200");
        var intent = IndexOf(log, "state write pub");
        var persisted = call == int.MaxValue ? int.MaxValue : IndexOf(log, "state write pub", call + 1);
        var published = IndexOf(log, "consumer access token pub");
        Assert.True(intent < call && call < persisted && persisted < published, $"Order of side effects: {string.Join(" | ", log)}");

        var doc = (await h.GetAsync("pub"))!;
        var active = Assert.Single(h.Simulator.State.TokensFor(Account), t => t.Kind == TokenKind.OAuth2Refresh && t.Status == TokenStatus.Active);
        var facts = NetSuiteTokenFacts.Read(doc.OAuth2!.RefreshToken!);
        Assert.Equal(active.Id, facts.TokenId);
        Assert.Equal(consentedAt, facts.OriginalIssuedAt);
        Assert.Equal(facts.OriginalIssuedAt + TimeSpan.FromHours(integration.MaxTokenRotationHours), doc.OAuth2.ChainEndsAt);
        Assert.Equal(facts.ExpiresAt, doc.OAuth2.RefreshTokenExpiresAt);
        Assert.Equal(Format(facts.ExpiresAt), Tag(h, "pub", ConnectionIndex.RefreshExpiresAtTag));
        Assert.Null(doc.OAuth2.RefreshStartedAt);
    }

    private static int IndexOf(IReadOnlyList<string> log, string prefix, int from = 0)
    {
        for (var i = Math.Max(from, 0); i < log.Count; i++)
        {
            if (log[i].StartsWith(prefix, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
