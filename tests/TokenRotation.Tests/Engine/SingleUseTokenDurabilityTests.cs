using Azure;
using Azure.Data.Tables;
using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NetSuite.Auth.OAuth2;
using NetSuite.Simulator;
using Testing.Shared;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Stores;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// A public client's new single-use refresh token reaches a durable store before anything that can fail (architecture
/// section 4, last paragraph): odd answers from NetSuite and a failing state vault must not cost it.
/// </summary>
public sealed class SingleUseTokenDurabilityTests(ITestOutputHelper output)
{
    private const string Name = "pub-durable";
    private const string Account = EngineHarness.Account;

    private static async Task<EngineHarness> StartWithPublicConnectionAsync(Action<IServiceCollection>? overrides = null)
    {
        var h = await EngineHarness.StartAsync(overrides: overrides);
        var integration = h.SeedAccount(spec: new IntegrationSpec { PublicClient = true, RedirectUris = [RedirectUri] });
        await h.SaveNewAsync(await h.ConsentedOAuth2ConnectionAsync(Name, integration, publicClient: true));
        return h;
    }

    /// <summary>The refresh tokens of the account NetSuite would still accept.</summary>
    private static List<string> LiveRefreshTokenIds(EngineHarness h) =>
        h.Simulator.State.TokensFor(Account).Where(t => t.Kind == TokenKind.OAuth2Refresh && t.Status == TokenStatus.Active).Select(t => t.Id).ToList();

    private static async Task AssertHoldsTheLiveRefreshTokenAsync(EngineHarness h)
    {
        var doc = (await h.GetAsync(Name))!;
        Assert.NotNull(doc.OAuth2!.RefreshToken);
        Assert.Null(doc.OAuth2.RefreshStartedAt);
        var held = NetSuiteTokenFacts.Read(doc.OAuth2.RefreshToken).TokenId;
        Assert.Equal([held!], LiveRefreshTokenIds(h));
    }

    [Fact]
    public async Task Public_refresh_answer_with_an_access_token_that_is_not_a_jwt_still_stores_the_new_refresh_token_and_the_chain_continues()
    {
        await using var h = await StartWithPublicConnectionAsync();
        h.Simulator.Modes.OpaqueAccessTokens = true;

        var first = await h.Processor.RunAsync(N(Name), RotateNow);

        output.WriteLine($"first: {first.Kind}: {first.Message}");
        Assert.Equal(OutcomeKind.Succeeded, first.Kind);
        await AssertHoldsTheLiveRefreshTokenAsync(h);
        var published = (await h.Consumers.GetAsync(N(Name)))!;
        Assert.StartsWith("opaque-", published.Value, StringComparison.Ordinal);
        Assert.Contains(h.Logs.Entries, e => e.Message.Contains("not a JWT", StringComparison.Ordinal));

        // The chain continues with the stored token.
        h.Time.Advance(TimeSpan.FromMinutes(50));
        var second = await h.Processor.RunAsync(N(Name), RotateNow);
        Assert.Equal(OutcomeKind.Succeeded, second.Kind);
        await AssertHoldsTheLiveRefreshTokenAsync(h);
        Assert.All(Audit(h.Simulator, SimEndpoint.Token), c => Assert.True(c.Success, c.Note));
    }

    [Fact]
    public async Task Public_refresh_answer_with_a_new_refresh_token_but_no_access_token_keeps_the_refresh_token_and_the_next_run_publishes()
    {
        await using var h = await StartWithPublicConnectionAsync();
        h.Simulator.Modes.OmitAccessTokenBesideRefreshToken = true;

        var first = await h.Processor.RunAsync(N(Name), RotateNow);

        output.WriteLine($"first: {first.Kind}: {first.Message}");
        Assert.Equal(OutcomeKind.Failed, first.Kind);
        Assert.Contains("no access token", first.Message, StringComparison.Ordinal);
        await AssertHoldsTheLiveRefreshTokenAsync(h);
        Assert.Null(await h.Consumers.GetAsync(N(Name)));

        // The next run, on its own schedule, refreshes with the kept token and publishes.
        h.Simulator.Modes.OmitAccessTokenBesideRefreshToken = false;
        h.Time.Advance(TimeSpan.FromMinutes(5));
        var second = await h.Processor.RunAsync(N(Name), RunRequest.Sweep(false));
        output.WriteLine($"second: {second.Kind}: {second.Message}");
        Assert.Equal(OutcomeKind.Succeeded, second.Kind);
        await AssertHoldsTheLiveRefreshTokenAsync(h);
        Assert.NotNull(await h.Consumers.GetAsync(N(Name)));
        Assert.All(Audit(h.Simulator, SimEndpoint.Token), c => Assert.True(c.Success, c.Note));
    }

    [Theory]
    [InlineData(ExpiresInFormat.DecimalString)]
    [InlineData(ExpiresInFormat.DecimalNumber)]
    public async Task Public_refresh_answer_with_a_decimal_expires_in_still_stores_the_new_refresh_token_and_the_chain_continues(ExpiresInFormat format)
    {
        await using var h = await StartWithPublicConnectionAsync();
        h.Simulator.Modes.ExpiresIn = format;

        var first = await h.Processor.RunAsync(N(Name), RotateNow);

        output.WriteLine($"first: {first.Kind}: {first.Message}");
        Assert.Equal(OutcomeKind.Succeeded, first.Kind);
        await AssertHoldsTheLiveRefreshTokenAsync(h);

        h.Time.Advance(TimeSpan.FromMinutes(50));
        var second = await h.Processor.RunAsync(N(Name), RotateNow);
        Assert.Equal(OutcomeKind.Succeeded, second.Kind);
        await AssertHoldsTheLiveRefreshTokenAsync(h);
    }

    [Fact]
    public async Task A_state_vault_refusing_every_write_for_minutes_after_a_public_refresh_loses_nothing_and_the_connection_recovers_without_a_person()
    {
        var azurite = await Azurite.GetAsync();
        var table = azurite.CreateTableServiceClient().GetTableClient($"journal{Guid.NewGuid():N}");
        var hooks = new NetSuiteHooks();
        await using var h = await StartWithPublicConnectionAsync(services =>
        {
            hooks.Install(services);
            services.Replace(ServiceDescriptor.Singleton<ITokenJournal>(_ => new TableTokenJournal(table)));
        });
        var t0 = h.Time.GetUtcNow();
        string At() => $"t+{(h.Time.GetUtcNow() - t0).TotalSeconds,7:0.0}s";
        var outage = new List<KeyVaultFault>();

        // Right after NetSuite answered the first refresh (it rotated the single-use token), every state-vault write fails.
        hooks.AfterResponse = (request, response) =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/oauth2/v1/token", StringComparison.Ordinal) && response.IsSuccessStatusCode && outage.Count == 0)
            {
                outage.Add(h.StateVault.Faults.Add(new KeyVaultFault { Operation = KeyVaultOperation.SetSecret, Times = int.MaxValue }));
                outage.Add(h.StateVault.Faults.Add(new KeyVaultFault { Operation = KeyVaultOperation.UpdateSecretProperties, Times = int.MaxValue }));
                output.WriteLine($"{At()} NetSuite answered the refresh; the state vault now refuses every write (503)");
            }

            return Task.CompletedTask;
        };

        var first = await PumpSlowlyAsync(h.Time, h.Processor.RunAsync(N(Name), RotateNow));
        output.WriteLine($"{At()} run 1: {first.Kind}: {first.Message} (state writes refused so far: {outage.Sum(f => f.Triggered)})");
        Assert.Equal(OutcomeKind.Failed, first.Kind);
        var entry = await h.Journal.GetAsync(N(Name));
        Assert.NotNull(entry);
        var live = Assert.Single(LiveRefreshTokenIds(h));
        var stored = (await h.GetAsync(Name))!;
        Assert.NotNull(stored.OAuth2!.RefreshStartedAt);
        Assert.NotEqual(live, NetSuiteTokenFacts.Read(stored.OAuth2.RefreshToken!).TokenId);
        var row = await table.GetEntityAsync<TableEntity>("journal", Name);
        Assert.DoesNotContain(((IDictionary<string, object>)row.Value).Values, v => v?.ToString()?.Contains(live, StringComparison.Ordinal) == true);
        Assert.NotNull(await h.Consumers.GetAsync(N(Name)));
        output.WriteLine($"{At()} the new refresh token is sealed in the journal (table row holds no plaintext); consumers have the new access token");

        // Minutes into the outage another run comes: it must replay first, cannot, and so sends nothing to NetSuite.
        h.Time.Advance(TimeSpan.FromMinutes(2));
        var refreshesBefore = Audit(h.Simulator, SimEndpoint.Token).Count;
        var during = await Record.ExceptionAsync(() => PumpSlowlyAsync(h.Time, h.Processor.RunAsync(N(Name), RunRequest.Sweep(false))));
        output.WriteLine($"{At()} run 2 during the outage: {(during is null ? "no error" : during.GetType().Name)}; journal entry kept: {await h.Journal.GetAsync(N(Name)) is not null}");
        Assert.IsType<RequestFailedException>(during);
        Assert.Equal(refreshesBefore, Audit(h.Simulator, SimEndpoint.Token).Count);
        Assert.NotNull(await h.Journal.GetAsync(N(Name)));

        h.Time.Advance(TimeSpan.FromMinutes(3));
        h.StateVault.Faults.Clear();

        output.WriteLine($"{At()} the state vault accepts writes again");
        var recovered = await PumpSlowlyAsync(h.Time, h.Processor.RunAsync(N(Name), RunRequest.Sweep(false)));
        output.WriteLine($"{At()} run 3: {recovered.Kind}: {recovered.Message}");
        Assert.NotEqual(OutcomeKind.NeedsPerson, recovered.Kind);
        Assert.Null(await h.Journal.GetAsync(N(Name)));
        await AssertHoldsTheLiveRefreshTokenAsync(h);
        Assert.Equal(ConnectionStatus.Healthy, (await h.GetAsync(Name))!.Status);

        h.Time.Advance(TimeSpan.FromMinutes(50));
        var later = await h.Processor.RunAsync(N(Name), RotateNow);
        output.WriteLine($"{At()} run 4: {later.Kind}: {later.Message}");
        Assert.Equal(OutcomeKind.Succeeded, later.Kind);
        await AssertHoldsTheLiveRefreshTokenAsync(h);
        Assert.All(Audit(h.Simulator, SimEndpoint.Token), c => Assert.True(c.Success, $"A refresh was refused ({c.Detail}: {c.Note})."));
        Assert.DoesNotContain(h.Logs.Entries, e => e.Message.Contains("NeedsPerson", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_the_state_vault_and_the_journal_both_refuse_the_connection_needs_a_person_and_the_token_is_a_possible_orphan()
    {
        var hooks = new NetSuiteHooks();
        await using var h = await StartWithPublicConnectionAsync(services =>
        {
            hooks.Install(services);
            services.Replace(ServiceDescriptor.Singleton<ITokenJournal>(new RefusingJournal()));
        });
        hooks.AfterResponse = (request, response) =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/oauth2/v1/token", StringComparison.Ordinal) && response.IsSuccessStatusCode)
            {
                h.StateVault.Faults.Add(new KeyVaultFault { Operation = KeyVaultOperation.SetSecret, Times = 40 });
            }

            return Task.CompletedTask;
        };

        var thrown = await Record.ExceptionAsync(() => PumpSlowlyAsync(h.Time, h.Processor.RunAsync(N(Name), RotateNow)));

        Assert.NotNull(thrown);
        Assert.True(thrown.Message.Contains("possible orphan", StringComparison.Ordinal), thrown.ToString());
        Assert.Contains(h.Logs.Entries, e => e.Message.StartsWith("PossibleOrphan", StringComparison.Ordinal));
        Assert.Contains(h.Logs.Entries, e => e.Message.StartsWith("NeedsPerson", StringComparison.Ordinal));
        h.StateVault.Faults.Clear();
        var next = await h.Processor.RunAsync(N(Name), RunRequest.Sweep(false));
        Assert.Equal(OutcomeKind.NeedsPerson, next.Kind);
    }

    /// <summary>
    /// Imports a public-client connection that needs its first consent, and fails every state-vault write from the
    /// moment NetSuite answers a code exchange (<paramref name="refusals"/> of them) until the test clears the faults.
    /// </summary>
    private static async Task<(EngineHarness H, SimIntegration Integration)> StartConsentWithFailingWritesAsync(Func<int> refusals)
    {
        var hooks = new NetSuiteHooks();
        var h = await EngineHarness.StartAsync(overrides: hooks.Install);
        var integration = h.SeedAccount(spec: new IntegrationSpec { PublicClient = true, RedirectUris = [RedirectUri] });
        var imported = await h.Imports.ImportAsync(new ConnectionDocument
        {
            Name = Name,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = Account,
            OAuth2 = new OAuth2Definition { ClientId = integration.ClientId, IsPublicClient = true, RedirectUri = RedirectUri },
        }, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, imported.Kind);
        hooks.AfterResponse = (request, response) =>
        {
            var body = request.Content?.ReadAsStringAsync().GetAwaiter().GetResult() ?? "";
            if (request.RequestUri!.AbsolutePath.EndsWith("/oauth2/v1/token", StringComparison.Ordinal) && response.IsSuccessStatusCode
                && body.Contains("grant_type=authorization_code", StringComparison.Ordinal) && refusals() > 0)
            {
                h.StateVault.Faults.Add(new KeyVaultFault { Operation = KeyVaultOperation.SetSecret, Times = refusals() });
            }

            return Task.CompletedTask;
        };
        return (h, integration);
    }

    private static List<TokenView> RefreshTokensOf(EngineHarness h, SimIntegration integration) =>
        h.Simulator.State.TokensFor(Account).Where(t => t.Kind == TokenKind.OAuth2Refresh && t.ClientId == integration.ClientId).ToList();

    [Fact]
    public async Task A_state_vault_refusing_a_few_writes_right_after_a_consent_exchange_still_stores_the_consent()
    {
        // The authorization code is single use: a short vault hiccup after NetSuite answered must not cost the grant.
        var (h, integration) = await StartConsentWithFailingWritesAsync(() => 6);
        await using var _ = h;

        var outcome = await PumpSlowlyAsync(h.Time, h.Consents.CompleteConsentAsync(N(Name), await ConsentAsync(h.Simulator, Account, integration.ClientId)));

        output.WriteLine($"{outcome.Kind}: {outcome.Message}");
        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        await AssertHoldsTheLiveRefreshTokenAsync(h);
        Assert.Equal(ConnectionStatus.Healthy, (await h.GetAsync(Name))!.Status);
        Assert.NotNull(await h.Consumers.GetAsync(N(Name)));
    }

    [Fact]
    public async Task A_state_vault_refusing_every_write_after_a_second_consent_revokes_what_NetSuite_issued_and_keeps_the_stored_grant()
    {
        var refusals = 0;
        var (h, integration) = await StartConsentWithFailingWritesAsync(() => refusals);
        await using var _ = h;
        Assert.Equal(OutcomeKind.Succeeded, (await h.Consents.CompleteConsentAsync(N(Name), await ConsentAsync(h.Simulator, Account, integration.ClientId))).Kind);
        var before = (await h.GetAsync(Name))!;
        var held = NetSuiteTokenFacts.Read(before.OAuth2!.RefreshToken!).TokenId!;

        // A second consent (someone opened the link again); from NetSuite's answer on, the state vault refuses every write.
        refusals = int.MaxValue;
        var outcome = await PumpSlowlyAsync(h.Time, h.Consents.CompleteConsentAsync(N(Name), await ConsentAsync(h.Simulator, Account, integration.ClientId)));
        output.WriteLine($"{outcome.Kind}: {outcome.Message}");
        h.StateVault.Faults.Clear();

        // A clear failure, not an exception; what NetSuite issued is revoked, the grant in use is untouched.
        Assert.Equal(OutcomeKind.Failed, outcome.Kind);
        Assert.Contains("revoked", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("consent link again", outcome.Message, StringComparison.Ordinal);
        var tokens = RefreshTokensOf(h, integration);
        Assert.Equal(2, tokens.Count);
        Assert.Equal([held], tokens.Where(t => t.Status == TokenStatus.Active).Select(t => t.Id).ToList());
        var after = (await h.GetAsync(Name))!;
        Assert.Equal(before.Generation, after.Generation);
        Assert.Equal(before.OAuth2.RefreshToken, after.OAuth2!.RefreshToken);
        Assert.Equal(ConnectionStatus.Healthy, after.Status);

        // And the connection goes on refreshing with the grant it kept.
        var next = await h.Processor.RunAsync(N(Name), RotateNow);
        Assert.Equal(OutcomeKind.Succeeded, next.Kind);
        await AssertHoldsTheLiveRefreshTokenAsync(h);
    }

    [Fact]
    public async Task A_sealed_token_opens_only_for_its_connection_and_refresh_and_holds_no_plaintext()
    {
        await using var h = await StartWithPublicConnectionAsync();
        var sealer = h.Services.GetRequiredService<TokenSealer>();
        var keys = await sealer.LoadAsync();
        var token = (await h.GetAsync(Name))!.OAuth2!.RefreshToken!;
        var started = h.Time.GetUtcNow();

        var sealedValue = keys.Seal(token, Name, started);

        Assert.DoesNotContain(token, sealedValue, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..12], sealedValue, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1][..12], sealedValue, StringComparison.Ordinal);
        Assert.Equal(token, keys.Open(sealedValue, Name, started));
        Assert.Equal(token, await sealer.OpenAsync(sealedValue, Name, started));
        Assert.Null(keys.Open(sealedValue, "other-connection", started));
        Assert.Null(keys.Open(sealedValue, Name, started.AddSeconds(1)));
        Assert.Null(keys.Open(sealedValue[..^2] + (sealedValue[^2] == 'A' ? "B" : "A") + sealedValue[^1], Name, started));
    }

    private sealed class RefusingJournal : ITokenJournal
    {
        public Task WriteAsync(TokenJournalEntry entry, CancellationToken cancellationToken = default) =>
            throw new RequestFailedException(503, "The journal's storage is down too.");

        public Task<TokenJournalEntry?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default) => Task.FromResult<TokenJournalEntry?>(null);

        public Task DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    /// <summary>
    /// Moves the clock 250 ms per 50 ms of real time while a run is under way: enough for the engine's retry waits, and
    /// slow enough that lease renewals keep up on a loaded machine (a faster clock lost the lease in a busy CI run).
    /// </summary>
    private static Task<T> PumpSlowlyAsync<T>(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, Task<T> work) =>
        PumpWhileWaitingAsync(time, work, static () => false, TimeSpan.FromMilliseconds(250), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(50));
}
