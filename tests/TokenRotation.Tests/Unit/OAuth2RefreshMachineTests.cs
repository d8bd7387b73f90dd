using System.Net;
using Azure;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// The OAuth 2.0 refresh machine (architecture section 4, last paragraph) with NetSuite's token endpoint answered in
/// memory: what is durable before the single-use refresh is sent, what is saved before anything else, and what is
/// never sent twice.
/// </summary>
[Trait("Category", "Unit")]
public sealed class OAuth2RefreshMachineTests : IDisposable
{
    private const string Name = "oauth-orders";

    private readonly MachineWorld _world = new();
    private readonly TokenEndpointStub _endpoint;

    public OAuth2RefreshMachineTests() => _endpoint = new TokenEndpointStub(_world.Effects);

    public void Dispose()
    {
        _endpoint.Dispose();
        _world.Dispose();
    }

    private static DateTimeOffset T0 => MachineWorld.Start;

    private string NewRefreshToken { get; } = UnsignedJwt.Create("r.new", T0 + TimeSpan.FromHours(48), T0, T0 - TimeSpan.FromDays(1));

    private string NewAccessToken { get; } = UnsignedJwt.Create("a.new", T0 + TimeSpan.FromHours(1), T0);

    private void SeedPublic(Action<OAuth2Definition>? change = null)
    {
        var doc = UnitDocuments.OAuth2(Name, publicClient: true);
        doc.OAuth2!.RefreshTokenIssuedAt = T0 - TimeSpan.FromHours(10);
        doc.OAuth2.RefreshTokenExpiresAt = T0 + TimeSpan.FromHours(38);
        doc.OAuth2.ChainEndsAt = T0 + TimeSpan.FromDays(6);
        change?.Invoke(doc.OAuth2);
        _world.Seed(doc);
    }

    private async Task<(OutcomeKind Outcome, RunContext Context)> RunAsync(RunRequest? request = null) =>
        await _world.RunAsync(Name, request ?? RunRequest.Sweep(startRotations: false), ctx => _world.RefreshMachine(_endpoint).RunAsync(ctx, CancellationToken.None));

    private HttpResponseMessage Tokens(string? refreshToken, string? accessToken = null) =>
        TokenEndpointStub.Json(HttpStatusCode.OK, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["access_token"] = accessToken ?? NewAccessToken,
            ["refresh_token"] = refreshToken,
            ["token_type"] = "bearer",
        }.Where(p => p.Value is not null).ToDictionary()));

    private int IndexOf(Func<SideEffect, bool> match)
    {
        var index = _world.Effects.FindIndex(e => match(e));
        Assert.True(index >= 0, "Expected side effect not found in: " + string.Join(" | ", _world.Effects));
        return index;
    }

    [Fact]
    public async Task A_public_refresh_makes_its_intent_durable_before_sending_and_saves_the_new_token_before_publishing_the_access_token()
    {
        SeedPublic();
        ConnectionDocument? storedWhenSent = null;
        _endpoint.OnRequest = () => storedWhenSent = _world.Stored(Name);
        _endpoint.Answer = _ => Tokens(NewRefreshToken);

        var (outcome, ctx) = await RunAsync();
        Assert.Equal(OutcomeKind.Succeeded, outcome);

        // What the store held when the single-use token left: the intent, and still the old token.
        Assert.NotNull(storedWhenSent!.OAuth2!.RefreshStartedAt);
        Assert.Equal("refresh-token-0", storedWhenSent.OAuth2.RefreshToken);
        Assert.Equal("refresh-token-0", Assert.Single(_endpoint.Forms)["refresh_token"]);

        var request = IndexOf(e => e.Kind == SideEffect.TokenRequest);
        var saved = IndexOf(e => e.Kind == SideEffect.StateWrite && e.Written!.OAuth2!.RefreshToken == NewRefreshToken);
        var published = IndexOf(e => e.Kind == SideEffect.Publish);
        Assert.True(request < saved && saved < published, string.Join(" | ", _world.Effects));
        Assert.Null(_world.Effects[saved].Written!.OAuth2!.RefreshStartedAt);

        var oauth = _world.Stored(Name).OAuth2!;
        Assert.Equal(NewRefreshToken, oauth.RefreshToken);
        Assert.Equal(T0 + TimeSpan.FromHours(48), oauth.RefreshTokenExpiresAt);
        Assert.Equal(T0 - TimeSpan.FromDays(1) + TimeSpan.FromHours(oauth.MaxRotationHours), oauth.ChainEndsAt);
        Assert.Equal(T0 + TimeSpan.FromHours(1), ctx.AccessTokenExpiresAt);
        Assert.Equal(NewAccessToken, (await _world.Consumers.GetAsync(ConnectionName.Parse(Name)))!.Value);
    }

    [Fact]
    public async Task The_new_refresh_token_is_saved_even_when_nothing_else_in_the_answer_can_be_read()
    {
        SeedPublic();
        _endpoint.Answer = _ => Tokens("opaque-refresh-1", accessToken: "opaque-access-1");

        var (outcome, ctx) = await RunAsync();
        Assert.Equal(OutcomeKind.Succeeded, outcome);
        var oauth = _world.Stored(Name).OAuth2!;
        Assert.Equal("opaque-refresh-1", oauth.RefreshToken);
        Assert.Null(oauth.RefreshTokenExpiresAt);
        Assert.Null(oauth.RefreshStartedAt);
        Assert.Equal(T0 + TimeSpan.FromMinutes(60), ctx.AccessTokenExpiresAt);
        Assert.DoesNotContain("opaque-refresh-1", _world.Logs.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_public_refresh_whose_answer_was_lost_never_sends_the_spent_token_again()
    {
        SeedPublic();
        _endpoint.Answer = _ => throw new HttpRequestException("The connection was reset.");

        Assert.Equal(OutcomeKind.NeedsPerson, (await RunAsync()).Outcome);
        var stored = _world.Stored(Name);
        Assert.Equal(ConnectionStatus.NeedsPerson, stored.Status);
        Assert.Contains("may be spent", stored.NeedsPersonReason, StringComparison.Ordinal);

        _world.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(OutcomeKind.NeedsPerson, (await RunAsync()).Outcome);
        Assert.Equal(OutcomeKind.NeedsPerson, (await RunAsync(new RunRequest { Now = true, Trigger = "refresh-now" })).Outcome);
        Assert.Single(_endpoint.Forms);
        Assert.DoesNotContain(_world.Effects, e => e.Kind == SideEffect.Publish);
    }

    [Fact]
    public async Task A_run_that_died_after_sending_leaves_an_intent_the_next_run_turns_into_a_consent_request_without_sending()
    {
        SeedPublic();
        _endpoint.OnRequest = () => throw new SimulatedCrash(SideEffect.TokenRequest);

        await Assert.ThrowsAsync<SimulatedCrash>(() => RunAsync());
        var stored = _world.Stored(Name);
        Assert.NotNull(stored.OAuth2!.RefreshStartedAt);
        Assert.True(stored.StoredIndex!.IsDue(_world.Now), "the interrupted refresh must be looked at by the next run");

        _endpoint.OnRequest = null;
        _endpoint.Answer = _ => Tokens(NewRefreshToken);
        var (outcome, ctx) = await RunAsync();
        Assert.Equal(OutcomeKind.NeedsPerson, outcome);
        Assert.Single(_endpoint.Forms);
        stored = _world.Stored(Name);
        Assert.Equal(ConnectionStatus.NeedsPerson, stored.Status);
        Assert.Contains(ctx.Actions, a => a.Contains(FixedConsentLinks.Prefix + Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_the_state_vault_refuses_the_new_token_it_is_sealed_into_the_journal_and_the_access_token_is_still_published()
    {
        SeedPublic();
        _endpoint.Answer = _ => Tokens(NewRefreshToken);
        _world.Store.FailSaves = d => d.OAuth2?.RefreshToken == NewRefreshToken ? new RequestFailedException(503, "Service unavailable") : null;

        var (outcome, ctx) = await RunAsync();
        Assert.Equal(OutcomeKind.Failed, outcome);
        Assert.True(ctx.Journalled);

        var entry = Assert.Single(_world.Journal.Entries);
        Assert.DoesNotContain(NewRefreshToken, entry.Sealed, StringComparison.Ordinal);
        var stored = _world.Stored(Name);
        Assert.Equal(stored.OAuth2!.RefreshStartedAt, entry.RefreshStartedAt);
        Assert.Equal(NewRefreshToken, await _world.Sealer.OpenAsync(entry.Sealed, Name, entry.RefreshStartedAt));
        Assert.Equal("refresh-token-0", stored.OAuth2.RefreshToken);
        Assert.Equal(NewAccessToken, (await _world.Consumers.GetAsync(ConnectionName.Parse(Name)))!.Value);
        Assert.DoesNotContain(NewRefreshToken, _world.Logs.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_confidential_refresh_writes_no_state_and_publishes_the_access_token()
    {
        var doc = UnitDocuments.OAuth2(Name, publicClient: false);
        doc.OAuth2!.RefreshTokenExpiresAt = T0 + TimeSpan.FromDays(6);
        _world.Seed(doc);
        _endpoint.Answer = _ => Tokens(refreshToken: null);

        var (outcome, ctx) = await RunAsync();
        Assert.Equal(OutcomeKind.Succeeded, outcome);
        Assert.Equal(0, _world.Store.Writes);
        Assert.Single(_world.Effects, e => e.Kind == SideEffect.Publish);
        Assert.Equal(T0 + TimeSpan.FromHours(1), ctx.AccessTokenExpiresAt);
        Assert.Equal("refresh-token-0", _world.Stored(Name).OAuth2!.RefreshToken);
    }

    [Fact]
    public async Task An_invalid_grant_drops_the_refresh_token_so_that_no_sweep_sends_it_again()
    {
        SeedPublic();
        _endpoint.Answer = _ => TokenEndpointStub.Json(HttpStatusCode.BadRequest, """{"error":"invalid_grant"}""");

        Assert.Equal(OutcomeKind.NeedsPerson, (await RunAsync()).Outcome);
        var stored = _world.Stored(Name);
        Assert.Null(stored.OAuth2!.RefreshToken);
        Assert.Null(stored.StoredIndex!.NextActionAt);
        Assert.Contains("invalid_grant", stored.NeedsPersonReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refresh_not_yet_due_sends_nothing_and_an_ended_refresh_token_is_dropped_without_a_call()
    {
        SeedPublic();
        var stored = _world.Stored(Name);
        stored.StoredIndex = stored.StoredIndex! with { CredentialExpiresAt = T0 + TimeSpan.FromMinutes(50) };
        await _world.Store.UpdateIndexAsync(stored.StoredIndex);
        Assert.Equal(OutcomeKind.NothingToDo, (await RunAsync()).Outcome);
        Assert.Empty(_endpoint.Forms);

        _world.Time.SetUtcNow(T0 + TimeSpan.FromHours(38));
        Assert.Equal(OutcomeKind.NeedsPerson, (await RunAsync()).Outcome);
        Assert.Empty(_endpoint.Forms);
        Assert.Null(_world.Stored(Name).OAuth2!.RefreshToken);
        Assert.Contains("expired", _world.Stored(Name).NeedsPersonReason, StringComparison.Ordinal);
    }
}
