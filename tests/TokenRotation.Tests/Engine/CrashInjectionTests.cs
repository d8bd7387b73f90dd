using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;
using Xunit.Abstractions;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// architecture section 4's invariants under crashes: a clean run records every side effect (NetSuite call, Key Vault write,
/// tag update); then, for each of them in turn, a fresh world runs the same scenario, dies right after that effect,
/// and is resumed by later runs. Each time the rotation must converge without breaking an invariant. The test fails
/// if any recorded effect was not crashed after.
/// </summary>
public sealed class CrashInjectionTests(ITestOutputHelper output)
{
    private const string Name = "tba-crash";
    private static readonly TimeSpan Grace = TimeSpan.FromHours(48);

    [Fact]
    public async Task Tba_rotation_converges_after_a_crash_at_every_side_effect()
    {
        var clean = await RunScenarioAsync(crashAfter: 0);
        Assert.True(clean.Effects.Count >= 8, $"The clean run should have many side effects; it had {clean.Effects.Count}: {string.Join(" | ", clean.Effects)}");
        output.WriteLine($"clean run: {clean.Effects.Count} side effects");
        foreach (var effect in clean.Effects)
        {
            output.WriteLine("  " + effect);
        }

        var crashedAfter = new List<string>();
        for (var i = 1; i <= clean.Effects.Count; i++)
        {
            var replay = await RunScenarioAsync(crashAfter: i);
            Assert.True(replay.Crashed, $"Replay {i} did not crash after '{clean.Effects[i - 1]}'.");
            crashedAfter.Add(replay.CrashedAt!);
            output.WriteLine($"crash {i} after {replay.CrashedAt}: converged with {replay.Orphans} possible orphan(s) in {replay.ResumeRuns} resume run(s)");
        }

        Assert.Equal(clean.Effects.Count, crashedAfter.Count);
    }

    private sealed record ScenarioResult(IReadOnlyList<string> Effects, bool Crashed, string? CrashedAt, int Orphans, int ResumeRuns);

    private static async Task<ScenarioResult> RunScenarioAsync(int crashAfter)
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var doc = h.TbaConnection(Name, integration);
        var original = doc.Credentials.Current!.Id;
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(doc, dryRun: false)).Kind);
        h.Effects.Reset();
        h.Effects.CrashAfter = crashAfter;

        string? crashedAt = null;
        var name = ConnectionName.Parse(Name);
        async Task RunAsync(RunRequest request)
        {
            try
            {
                await h.Processor.RunAsync(name, request);
            }
            catch (CrashException crash) when (crashedAt is null)
            {
                crashedAt = crash.Message;
            }

            await AssertPublishedTokenWorksAsync(h);
        }

        h.Time.Advance(TimeSpan.FromDays(91));
        await RunAsync(RunRequest.Sweep(startRotations: true));
        h.Time.Advance(Grace + TimeSpan.FromHours(1));
        await RunAsync(RunRequest.Sweep(startRotations: false));

        // Later runs resume whatever the crash interrupted, as the timers would.
        var resumeRuns = 0;
        for (; resumeRuns < 40; resumeRuns++)
        {
            var current = (await h.GetAsync(Name))!;
            if (current.Rotation is null && current.Credentials.Current!.Id != original)
            {
                break;
            }

            var wait = current.Rotation?.Step == RotationStep.Promoted && current.Credentials.Previous?.RetireAfter is { } retire && retire > h.Time.GetUtcNow()
                ? retire - h.Time.GetUtcNow() + TimeSpan.FromMinutes(1)
                : TimeSpan.FromMinutes(10);
            h.Time.Advance(wait);
            await RunAsync(RunRequest.Sweep(startRotations: true));
        }

        var final = (await h.GetAsync(Name))!;
        var effects = h.Effects.Log;
        AssertConverged(h, final, original);
        return new ScenarioResult(effects, crashedAt is not null, crashedAt, final.PossibleOrphans.Count, resumeRuns);
    }

    /// <summary>Consumers always hold a token that works: the current credential is never made unusable.</summary>
    private static async Task AssertPublishedTokenWorksAsync(EngineHarness h)
    {
        var published = await TbaRotationTests.PublishedTokenIdAsync(h, Name);
        Assert.NotNull(published);
        Assert.Contains(h.Simulator.State.ActiveTbaTokens(EngineHarness.Account), t => t.TokenId == published);
    }

    private static void AssertConverged(EngineHarness h, ConnectionDocument final, string original)
    {
        Assert.Null(final.Rotation);
        Assert.Null(final.Credentials.Pending);
        Assert.Null(final.Credentials.Previous);
        Assert.Equal(ConnectionStatus.Healthy, final.Status);
        var current = final.Credentials.Current!;
        Assert.NotEqual(original, current.Id);

        var tokens = h.Simulator.State.TokensFor(EngineHarness.Account).Where(t => t.Kind == TokenKind.Tba).ToList();
        var currentView = Assert.Single(tokens, t => t.Id == current.Id);
        Assert.Equal(TokenStatus.Active, currentView.Status);
        Assert.True(currentView.UseCount > 0, "The current token was promoted without a verifying call.");

        // The old token was revoked, and not before its grace period ended.
        var originalView = Assert.Single(tokens, t => t.Id == original);
        Assert.Equal(TokenStatus.Revoked, originalView.Status);
        Assert.True(originalView.EndedAt >= final.LastRotationAt + Grace, $"The old token was revoked at {originalView.EndedAt:O}, before grace ended ({final.LastRotationAt + Grace:O}).");

        // Every other active token is one we recorded as a possible orphan, by its name.
        var orphanNames = final.PossibleOrphans.Select(o => o.TokenName).ToHashSet(StringComparer.Ordinal);
        foreach (var other in tokens.Where(t => t.Status == TokenStatus.Active && t.Id != current.Id))
        {
            Assert.True(other.Name is not null && orphanNames.Contains(other.Name), $"Active token {other.Name} is neither current nor recorded as a possible orphan.");
        }
    }
}
