using NetSuite.Auth.OAuth2;
using NetSuite.Simulator;
using TokenRotation.Connections;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// Crash injection for the public-client refresh (the CrashInjectionTests pattern): a clean run of two refreshes
/// records every side effect; then, for each one, a fresh world dies right after it and later sweeps resume. After
/// any crash the connection is either converged or needs a person, and a spent refresh token is never sent.
/// </summary>
public sealed class PublicRefreshCrashTests(ITestOutputHelper output)
{
    private const string Name = "pub-crash";
    private const string Account = EngineHarness.Account;

    [Fact]
    public async Task Public_client_refresh_after_a_crash_at_every_side_effect_converges_or_needs_a_person_and_never_resends_a_spent_token()
    {
        var clean = await RunScenarioAsync(crashAfter: 0);
        Assert.False(clean.NeedsPerson, "The clean run should converge.");
        Assert.True(clean.Effects.Count >= 8, $"The clean run should have many side effects; it had {clean.Effects.Count}: {string.Join(" | ", clean.Effects)}");
        output.WriteLine($"clean run: {clean.Effects.Count} side effects");
        foreach (var effect in clean.Effects)
        {
            output.WriteLine("  " + effect);
        }

        var crashed = 0;
        for (var i = 1; i <= clean.Effects.Count; i++)
        {
            var replay = await RunScenarioAsync(crashAfter: i);
            Assert.True(replay.Crashed, $"Replay {i} did not crash after '{clean.Effects[i - 1]}'.");
            crashed++;
            output.WriteLine($"crash {i} after {replay.CrashedAt}: {(replay.NeedsPerson ? "needs a person" : "converged")}, {replay.RefreshCalls} refresh call(s)");
        }

        Assert.Equal(clean.Effects.Count, crashed);
    }

    private sealed record ScenarioResult(IReadOnlyList<string> Effects, bool Crashed, string? CrashedAt, bool NeedsPerson, int RefreshCalls);

    private static async Task<ScenarioResult> RunScenarioAsync(int crashAfter)
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount(spec: new IntegrationSpec { PublicClient = true, RedirectUris = [RedirectUri] });
        var doc = await h.ConsentedOAuth2ConnectionAsync(Name, integration, publicClient: true);
        await h.SaveNewAsync(doc);
        h.Effects.Reset();
        h.Effects.CrashAfter = crashAfter;

        string? crashedAt = null;
        async Task SweepAsync()
        {
            try
            {
                await SweepAndProcessAsync(h);
            }
            catch (CrashException crash) when (crashedAt is null)
            {
                crashedAt = crash.Message;
            }

            AssertNoSpentTokenSent(h);
        }

        // Two refreshes: the first at once (nothing published yet), the second when the access token nears its end.
        await SweepAsync();
        h.Time.Advance(TimeSpan.FromMinutes(50));
        await SweepAsync();

        // Later sweeps resume whatever the crash interrupted, as the timers would.
        for (var i = 0; i < 4 && !await ConvergedAsync(h) && !(await h.GetAsync(Name))!.Status.Equals(ConnectionStatus.NeedsPerson); i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(50));
            await SweepAsync();
        }

        var final = (await h.GetAsync(Name))!;
        var needsPerson = final.Status == ConnectionStatus.NeedsPerson;
        if (needsPerson)
        {
            // Needs a person, says why, and nothing loops: later sweeps send nothing.
            Assert.False(string.IsNullOrEmpty(final.NeedsPersonReason));
            Assert.Contains("Consent again", final.NeedsPersonReason, StringComparison.Ordinal);
            var calls = Audit(h.Simulator, SimEndpoint.Token).Count;
            for (var i = 0; i < 3; i++)
            {
                h.Time.Advance(TimeSpan.FromHours(1));
                await SweepAsync();
            }

            Assert.Equal(calls, Audit(h.Simulator, SimEndpoint.Token).Count);
        }
        else
        {
            Assert.True(await ConvergedAsync(h), $"After a crash ({crashedAt}) the connection is neither converged nor waiting for a person.");
        }

        return new ScenarioResult(h.Effects.Log, crashedAt is not null, crashedAt, needsPerson, Audit(h.Simulator, SimEndpoint.Token).Count);
    }

    /// <summary>Every refresh NetSuite saw was accepted and used a different refresh token: no spent token was ever sent.</summary>
    private static void AssertNoSpentTokenSent(EngineHarness h)
    {
        var calls = Audit(h.Simulator, SimEndpoint.Token);
        Assert.All(calls, c => Assert.True(c.Success, $"A refresh was refused ({c.Detail}: {c.Note}): a spent or dead refresh token was sent."));
        Assert.Equal(calls.Count, calls.Select(c => c.TokenRef).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>Healthy, holding the chain's live refresh token, and consumers hold a live access token.</summary>
    private static async Task<bool> ConvergedAsync(EngineHarness h)
    {
        var doc = (await h.GetAsync(Name))!;
        if (doc.Status != ConnectionStatus.Healthy || doc.OAuth2!.RefreshStartedAt is not null || doc.OAuth2.RefreshToken is null)
        {
            return false;
        }

        var refreshId = NetSuiteTokenFacts.Read(doc.OAuth2.RefreshToken).TokenId;
        var live = h.Simulator.State.TokensFor(Account).Where(t => t.Kind == TokenKind.OAuth2Refresh && t.Status == TokenStatus.Active).ToList();
        if (!live.Any(t => t.Id == refreshId))
        {
            return false;
        }

        var published = await h.Consumers.GetAsync(N(Name));
        if (published is null)
        {
            return false;
        }

        var access = NetSuiteTokenFacts.Read(published.Value);
        return access.ExpiresAt > h.Time.GetUtcNow()
            && h.Simulator.State.TokensFor(Account).Any(t => t.Id == access.TokenId && t.Status == TokenStatus.Active);
    }
}
