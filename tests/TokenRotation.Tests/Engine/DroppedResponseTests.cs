using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// Every single-use call "processed, response dropped": NetSuite did the work (a token issued, a refresh token
/// spent, a code exchanged) and the answer never arrived.
/// </summary>
public sealed class DroppedResponseTests
{
    private const string Account = EngineHarness.Account;

    [Fact]
    public async Task Lost_issuetoken_answer_is_recorded_as_an_orphan_by_name_and_the_rotation_converges()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var doc = h.TbaConnection("tba-drop", integration);
        var original = doc.Credentials.Current!.Id;
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(doc, dryRun: false)).Kind);
        h.Time.Advance(TimeSpan.FromDays(91));
        h.Simulator.Faults.DropResponseAfterProcessing(SimEndpoint.IssueToken, times: 1);

        var first = await h.Processor.RunAsync(N("tba-drop"), Daily);

        Assert.Equal(OutcomeKind.Failed, first.Kind);
        var orphans = h.Simulator.State.OrphanedTokens(Account);
        var orphan = Assert.Single(orphans);
        var afterDrop = (await h.GetAsync("tba-drop"))!;
        Assert.Equal([orphan.Name], afterDrop.PossibleOrphans.Select(o => o.TokenName));
        Assert.Equal(original, afterDrop.Credentials.Current!.Id);
        Assert.Equal(original, await TbaRotationTests.PublishedTokenIdAsync(h, "tba-drop"));
        Assert.NotEqual(orphan.Name, afterDrop.Rotation!.RotationId);
        Assert.Single(Audit(h.Simulator, SimEndpoint.IssueToken));

        // The retry after the backoff issues a token under a new name, verifies and promotes it; grace then retires the old one.
        for (var i = 0; i < 10; i++)
        {
            var current = (await h.GetAsync("tba-drop"))!;
            if (current.Rotation is null)
            {
                break;
            }

            if ((current.Rotation.NextAttemptAt ?? current.Credentials.Previous?.RetireAfter) is { } wait && wait > h.Time.GetUtcNow())
            {
                h.Time.Advance(wait - h.Time.GetUtcNow() + TimeSpan.FromSeconds(1));
            }

            await h.Processor.RunAsync(N("tba-drop"), Daily);
        }

        var final = (await h.GetAsync("tba-drop"))!;
        Assert.Null(final.Rotation);
        Assert.Equal(ConnectionStatus.Healthy, final.Status);
        Assert.NotEqual(original, final.Credentials.Current!.Id);
        Assert.NotEqual(orphan.Id, final.Credentials.Current.Id);
        Assert.Equal(final.Credentials.Current.Id, await TbaRotationTests.PublishedTokenIdAsync(h, "tba-drop"));
        Assert.Equal([orphan.Name], final.PossibleOrphans.Select(o => o.TokenName));
        Assert.Equal(orphans.Select(o => o.Name), h.Simulator.State.OrphanedTokens(Account).Select(o => o.Name));
        var active = h.Simulator.State.ActiveTbaTokens(Account).Select(t => t.TokenId).Order().ToArray();
        Assert.Equal(new[] { final.Credentials.Current.Id, orphan.Id }.Order().ToArray(), active);
        Assert.Equal(2, Audit(h.Simulator, SimEndpoint.IssueToken).Count);
    }

    [Fact]
    public async Task Lost_public_client_refresh_answer_needs_a_person_and_the_spent_token_is_never_sent_again()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount(spec: new IntegrationSpec { PublicClient = true, RedirectUris = [RedirectUri] });
        var doc = await h.ConsentedOAuth2ConnectionAsync("pub-drop", integration, publicClient: true);
        var spent = NetSuite.Auth.OAuth2.NetSuiteTokenFacts.Read(doc.OAuth2!.RefreshToken!).TokenId!;
        await h.SaveNewAsync(doc);
        h.Simulator.Faults.DropResponseAfterProcessing(SimEndpoint.Token, times: 1);

        var outcome = await h.Processor.RunAsync(N("pub-drop"), Frequent);

        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        var after = (await h.GetAsync("pub-drop"))!;
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Contains("single-use refresh token may be spent", after.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Contains("Consent again", after.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Equal(doc.OAuth2.RefreshToken, after.OAuth2!.RefreshToken);
        Assert.Null(await h.Consumers.GetAsync(N("pub-drop")));
        var spentView = Assert.Single(h.Simulator.State.TokensFor(Account), t => t.Id == spent);
        Assert.Equal(TokenStatus.Spent, spentView.Status);
        Assert.Equal(1, spentView.UseCount);
        Assert.Contains(h.Simulator.State.OrphanedTokens(Account), t => t.Kind == TokenKind.OAuth2Refresh);

        // Sweeps, a daily sweep and an operator's "now" over the next days: no call carries the spent token again.
        var writes = h.StateVault.Counters.Writes;
        for (var i = 0; i < 6; i++)
        {
            h.Time.Advance(TimeSpan.FromHours(1));
            var sweep = await h.Sweeps.SweepAsync(startRotations: i % 3 == 2);
            Assert.Equal(0, sweep.Due);
            Assert.Equal(OutcomeKind.NeedsPerson, (await h.Processor.RunAsync(N("pub-drop"), Frequent)).Kind);
        }

        Assert.Equal(OutcomeKind.NeedsPerson, (await h.Processor.RunAsync(N("pub-drop"), new RunRequest { Now = true, Trigger = "rotate-now" })).Kind);
        var tokenCalls = Audit(h.Simulator, SimEndpoint.Token);
        Assert.Single(tokenCalls);
        Assert.Equal(spent, tokenCalls[0].TokenRef);
        Assert.Equal(1, Assert.Single(h.Simulator.State.TokensFor(Account), t => t.Id == spent).UseCount);
        Assert.Empty(h.Queue.Items);
        Assert.Equal(writes, h.StateVault.Counters.Writes);
    }

    [Fact]
    public async Task Lost_code_exchange_answer_is_reported_and_nothing_is_half_written()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var imported = await h.Imports.ImportAsync(new ConnectionDocument
        {
            Name = "conf-consent",
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = Account,
            OAuth2 = new OAuth2Definition { ClientId = integration.ClientId, ClientSecret = integration.ClientSecret, RedirectUri = RedirectUri },
        }, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, imported.Kind);
        var before = (await h.GetAsync("conf-consent"))!;
        var consent = await ConsentAsync(h.Simulator, Account, integration.ClientId);
        h.Simulator.Faults.DropResponseAfterProcessing(SimEndpoint.Token, times: 1);
        var consumerWrites = h.ConsumerVault.Counters.Writes;

        var outcome = await h.Consents.CompleteConsentAsync(N("conf-consent"), consent);

        Assert.Equal(OutcomeKind.Failed, outcome.Kind);
        Assert.Contains("Start the consent again from a fresh link", outcome.Message, StringComparison.Ordinal);
        var after = (await h.GetAsync("conf-consent"))!;
        Assert.Null(after.OAuth2!.RefreshToken);
        Assert.Null(after.OAuth2.RefreshTokenExpiresAt);
        Assert.Null(after.OAuth2.ConsentedAt);
        Assert.Equal(before.OAuth2!.ExpectedRoleId, after.OAuth2.ExpectedRoleId);
        Assert.Equal(before.OAuth2.ExpectedEntityId, after.OAuth2.ExpectedEntityId);
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Equal("consent", after.LastError!.Message.Split(':')[0]);
        Assert.Null(after.LastError.RetryAt);
        Assert.Equal(consumerWrites, h.ConsumerVault.Counters.Writes);
        Assert.Null(await h.Consumers.GetAsync(N("conf-consent")));

        // NetSuite did exchange the code: the tokens of the lost answer are orphans, and the code cannot be used again.
        Assert.Contains(h.Simulator.State.OrphanedTokens(Account), t => t.Kind == TokenKind.OAuth2Refresh);
        var again = await h.Consents.CompleteConsentAsync(N("conf-consent"), consent);
        Assert.Equal(OutcomeKind.Failed, again.Kind);
        Assert.Contains("invalid_grant", again.Message, StringComparison.Ordinal);
        Assert.Null((await h.GetAsync("conf-consent"))!.OAuth2!.RefreshToken);

        // A fresh consent works.
        var fresh = await ConsentAsync(h.Simulator, Account, integration.ClientId);
        Assert.Equal(OutcomeKind.Succeeded, (await h.Consents.CompleteConsentAsync(N("conf-consent"), fresh)).Kind);
        Assert.Equal(ConnectionStatus.Healthy, (await h.GetAsync("conf-consent"))!.Status);
        Assert.NotNull(await h.Consumers.GetAsync(N("conf-consent")));
    }
}
