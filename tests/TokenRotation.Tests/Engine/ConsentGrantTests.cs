using NetSuite.Auth.OAuth2;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// Completing a consent against the simulator: role, entity and company come from the tokens NetSuite issued, never
/// from the redirect's query (which the browser can edit), and a grant that is refused or replaced is revoked.
/// </summary>
public sealed class ConsentGrantTests
{
    private const string Account = EngineHarness.Account;

    private static async Task<SimIntegration> ImportAsync(EngineHarness h, string name, string? role = null, string? entity = null, bool publicClient = false)
    {
        var integration = h.SeedAccount(spec: new IntegrationSpec { RedirectUris = [RedirectUri], PublicClient = publicClient });
        var imported = await h.Imports.ImportAsync(new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = Account,
            OAuth2 = new OAuth2Definition
            {
                ClientId = integration.ClientId,
                ClientSecret = publicClient ? null : integration.ClientSecret,
                IsPublicClient = publicClient,
                RedirectUri = RedirectUri,
                ExpectedRoleId = role,
                ExpectedEntityId = entity,
            },
        }, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, imported.Kind);
        return integration;
    }

    private static List<TokenView> RefreshTokens(EngineHarness h, SimIntegration integration) =>
        h.Simulator.State.TokensFor(Account).Where(t => t.Kind == TokenKind.OAuth2Refresh && t.ClientId == integration.ClientId).ToList();

    private static TokenStatus StatusOf(EngineHarness h, string refreshToken) =>
        Assert.Single(h.Simulator.State.TokensFor(Account), t => t.Id == NetSuiteTokenFacts.Read(refreshToken).TokenId).Status;

    private static int UserEntity(EngineHarness h) => h.Simulator.State.GetUser(Account, EngineHarness.UserEmail).EntityId;

    [Fact]
    public async Task The_first_consent_pins_role_and_entity_from_the_token_and_says_them()
    {
        await using var h = await EngineHarness.StartAsync();
        await ImportAsync(h, "first-pin");

        var outcome = await h.Consents.CompleteConsentAsync(N("first-pin"), await ConsentAsync(h.Simulator, Account, (await h.GetAsync("first-pin"))!.OAuth2!.ClientId));

        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        var stored = (await h.GetAsync("first-pin"))!;
        Assert.Equal("1000", stored.OAuth2!.ExpectedRoleId);
        Assert.Equal(UserEntity(h).ToString(System.Globalization.CultureInfo.InvariantCulture), stored.OAuth2.ExpectedEntityId);
        Assert.Equal(NetSuiteTokenFacts.Read(stored.OAuth2.RefreshToken!).RoleId, stored.OAuth2.ExpectedRoleId);
        Assert.Contains($"role 1000 and user {UserEntity(h)}", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consent_whose_access_token_is_not_a_jwt_keeps_the_refresh_token_and_publishes_the_access_token()
    {
        // The code is single use: once NetSuite answered, nothing in the answer may cost the tokens it carries.
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAsync(h, "opaque-access");
        h.Simulator.Modes.OpaqueAccessTokens = true;

        var outcome = await h.Consents.CompleteConsentAsync(N("opaque-access"), await ConsentAsync(h.Simulator, Account, integration.ClientId));

        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        var stored = (await h.GetAsync("opaque-access"))!;
        Assert.Equal(TokenStatus.Active, StatusOf(h, stored.OAuth2!.RefreshToken!));
        Assert.Equal("1000", stored.OAuth2.ExpectedRoleId);
        var published = (await h.Consumers.GetAsync(N("opaque-access")))!;
        Assert.StartsWith("opaque-", published.Value, StringComparison.Ordinal);
        var expected = h.Time.GetUtcNow() + TimeSpan.FromHours(1);
        Assert.InRange(published.ExpiresOn!.Value, expected - TimeSpan.FromSeconds(2), expected + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_consent_answer_without_an_access_token_keeps_the_refresh_token_and_the_next_run_publishes_one()
    {
        // The code is spent: an answer that carries a refresh token but no access token still carries the grant.
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAsync(h, "no-access");
        h.Simulator.Modes.OmitAccessTokenBesideRefreshToken = true;

        var outcome = await h.Consents.CompleteConsentAsync(N("no-access"), await ConsentAsync(h.Simulator, Account, integration.ClientId));

        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        var stored = (await h.GetAsync("no-access"))!;
        Assert.Equal(TokenStatus.Active, StatusOf(h, stored.OAuth2!.RefreshToken!));
        Assert.Equal("1000", stored.OAuth2.ExpectedRoleId);
        Assert.Null(await h.Consumers.GetAsync(N("no-access")));

        h.Simulator.Modes.OmitAccessTokenBesideRefreshToken = false;
        var next = await h.Processor.RunAsync(N("no-access"), RunRequest.Sweep(false));
        Assert.Equal(OutcomeKind.Succeeded, next.Kind);
        Assert.NotNull(await h.Consumers.GetAsync(N("no-access")));
    }

    [Theory]
    [InlineData("role")]
    [InlineData("entity")]
    public async Task A_query_that_disagrees_with_the_token_is_refused_and_the_issued_grant_revoked(string edited)
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAsync(h, "edited-query");
        var consent = await ConsentAsync(h.Simulator, Account, integration.ClientId);
        var before = (await h.GetAsync("edited-query"))!;

        // The browser's holder edits the redirect's address before it reaches the callback.
        var tampered = edited == "role" ? consent with { Role = "1001" } : consent with { Entity = "99" };
        var outcome = await h.Consents.CompleteConsentAsync(N("edited-query"), tampered);

        Assert.Equal(OutcomeKind.Refused, outcome.Kind);
        Assert.Contains("does not match what NetSuite issued", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("revoked", outcome.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("1001", outcome.Message, StringComparison.Ordinal);
        var after = (await h.GetAsync("edited-query"))!;
        Assert.Equal(before.Generation, after.Generation);
        Assert.Null(after.OAuth2!.RefreshToken);
        Assert.Null(after.OAuth2.ExpectedRoleId);
        Assert.Null(after.OAuth2.ExpectedEntityId);
        Assert.Null(await h.Consumers.GetAsync(N("edited-query")));
        var issued = RefreshTokens(h, integration);
        Assert.NotEmpty(issued);
        Assert.All(issued, t => Assert.Equal(TokenStatus.Revoked, t.Status));
    }

    [Fact]
    public async Task A_query_edited_to_show_the_pinned_role_does_not_hide_the_tokens_role()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAsync(h, "pinned-role", role: "1001");
        var consent = await ConsentAsync(h.Simulator, Account, integration.ClientId);

        var outcome = await h.Consents.CompleteConsentAsync(N("pinned-role"), consent with { Role = "1001" });

        Assert.Equal(OutcomeKind.Refused, outcome.Kind);
        Assert.Null((await h.GetAsync("pinned-role"))!.OAuth2!.RefreshToken);
        Assert.All(RefreshTokens(h, integration), t => Assert.Equal(TokenStatus.Revoked, t.Status));
    }

    [Fact]
    public async Task A_token_for_another_role_than_the_pinned_one_is_refused_revoked_and_named()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAsync(h, "wrong-role", role: "1001");
        var consent = await ConsentAsync(h.Simulator, Account, integration.ClientId);

        var outcome = await h.Consents.CompleteConsentAsync(N("wrong-role"), consent);

        Assert.Equal(OutcomeKind.Refused, outcome.Kind);
        Assert.Contains("given for role 1000", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("expects role 1001", outcome.Message, StringComparison.Ordinal);
        Assert.Null((await h.GetAsync("wrong-role"))!.OAuth2!.RefreshToken);
        var issued = RefreshTokens(h, integration);
        Assert.NotEmpty(issued);
        Assert.All(issued, t => Assert.Equal(TokenStatus.Revoked, t.Status));
    }

    [Fact]
    public async Task A_token_for_another_user_than_the_pinned_one_is_refused_and_revoked()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAsync(h, "wrong-user", entity: "424242");
        var consent = await ConsentAsync(h.Simulator, Account, integration.ClientId);

        var outcome = await h.Consents.CompleteConsentAsync(N("wrong-user"), consent);

        Assert.Equal(OutcomeKind.Refused, outcome.Kind);
        Assert.Contains("expects user 424242", outcome.Message, StringComparison.Ordinal);
        var issued = RefreshTokens(h, integration);
        Assert.NotEmpty(issued);
        Assert.All(issued, t => Assert.Equal(TokenStatus.Revoked, t.Status));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_second_consent_revokes_the_replaced_refresh_token_and_the_new_one_works(bool publicClient)
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAsync(h, "reconsent", publicClient: publicClient);
        Assert.Equal(OutcomeKind.Succeeded, (await h.Consents.CompleteConsentAsync(N("reconsent"), await ConsentAsync(h.Simulator, Account, integration.ClientId))).Kind);
        var first = (await h.GetAsync("reconsent"))!.OAuth2!.RefreshToken!;

        var second = await h.Consents.CompleteConsentAsync(N("reconsent"), await ConsentAsync(h.Simulator, Account, integration.ClientId));

        Assert.Equal(OutcomeKind.Succeeded, second.Kind);
        Assert.Contains("revoked the replaced refresh token", second.Message, StringComparison.Ordinal);
        var stored = (await h.GetAsync("reconsent"))!;
        Assert.NotEqual(first, stored.OAuth2!.RefreshToken);
        Assert.Equal(TokenStatus.Revoked, StatusOf(h, first));
        Assert.Equal(TokenStatus.Active, StatusOf(h, stored.OAuth2.RefreshToken!));
        Assert.Empty(stored.PossibleOrphans);

        // The new grant still refreshes.
        h.Time.Advance(TimeSpan.FromMinutes(55));
        var refreshed = await h.Processor.RunAsync(N("reconsent"), RotateNow);
        Assert.Equal(OutcomeKind.Succeeded, refreshed.Kind);
    }

    [Fact]
    public async Task A_failed_revoke_of_the_replaced_token_keeps_the_new_token_and_records_a_possible_orphan()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAsync(h, "revoke-fails");
        Assert.Equal(OutcomeKind.Succeeded, (await h.Consents.CompleteConsentAsync(N("revoke-fails"), await ConsentAsync(h.Simulator, Account, integration.ClientId))).Kind);
        var first = (await h.GetAsync("revoke-fails"))!.OAuth2!.RefreshToken!;
        var consent = await ConsentAsync(h.Simulator, Account, integration.ClientId);
        h.Simulator.Faults.AddStatus(SimEndpoint.Revoke, 400, times: null);

        var second = await PumpAsync(h.Time, h.Consents.CompleteConsentAsync(N("revoke-fails"), consent));

        Assert.Equal(OutcomeKind.Succeeded, second.Kind);
        var stored = (await h.GetAsync("revoke-fails"))!;
        Assert.NotNull(stored.OAuth2!.RefreshToken);
        Assert.NotEqual(first, stored.OAuth2.RefreshToken);
        Assert.Equal(ConnectionStatus.Healthy, stored.Status);
        Assert.Equal(TokenStatus.Active, StatusOf(h, stored.OAuth2.RefreshToken!));
        Assert.Equal(TokenStatus.Active, StatusOf(h, first));
        var orphan = Assert.Single(stored.PossibleOrphans);
        Assert.Contains(NetSuiteTokenFacts.Read(first).TokenId!, orphan.TokenName, StringComparison.Ordinal);
        Assert.DoesNotContain(first, orphan.TokenName + orphan.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(first, second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_grant_whose_revoke_fails_is_recorded_as_a_possible_orphan_and_stores_no_token()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = await ImportAsync(h, "refused-orphan", role: "1001");
        var consent = await ConsentAsync(h.Simulator, Account, integration.ClientId);
        h.Simulator.Faults.AddStatus(SimEndpoint.Revoke, 400, times: null);

        var outcome = await PumpAsync(h.Time, h.Consents.CompleteConsentAsync(N("refused-orphan"), consent));

        Assert.Equal(OutcomeKind.Refused, outcome.Kind);
        Assert.Contains("could not be revoked", outcome.Message, StringComparison.Ordinal);
        var stored = (await h.GetAsync("refused-orphan"))!;
        Assert.Null(stored.OAuth2!.RefreshToken);
        Assert.Equal(ConnectionStatus.NeedsPerson, stored.Status);
        Assert.Single(stored.PossibleOrphans);
        Assert.Null(await h.Consumers.GetAsync(N("refused-orphan")));
    }
}
