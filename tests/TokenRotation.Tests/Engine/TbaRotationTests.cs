using System.Text.Json;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Tests.Engine;

public sealed class TbaRotationTests
{
    private static readonly RunRequest Daily = RunRequest.Sweep(startRotations: true);

    [Fact]
    public async Task Rotation_issues_verifies_promotes_then_revokes_the_old_token_after_grace()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var doc = h.TbaConnection("tba-one", integration);
        var original = doc.Credentials.Current!.Id;
        var imported = await h.Imports.ImportAsync(doc, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, imported.Kind);

        h.Time.Advance(TimeSpan.FromDays(91));
        var rotated = await h.Processor.RunAsync(ConnectionName.Parse("tba-one"), Daily);

        Assert.Equal(OutcomeKind.Succeeded, rotated.Kind);
        var after = (await h.GetAsync("tba-one"))!;
        Assert.NotEqual(original, after.Credentials.Current!.Id);
        Assert.Equal(original, after.Credentials.Previous!.Id);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromHours(48), after.Credentials.Previous.RetireAfter);
        Assert.Null(after.Credentials.Pending);
        Assert.Equal(RotationStep.Promoted, after.Rotation!.Step);
        Assert.Equal(2, h.Simulator.State.ActiveTbaTokens(EngineHarness.Account).Count);
        Assert.Equal(after.Credentials.Current.Id, await PublishedTokenIdAsync(h, "tba-one"));

        // Before the grace period ends nothing is revoked, whatever runs.
        h.Time.Advance(TimeSpan.FromHours(47));
        await h.Processor.RunAsync(ConnectionName.Parse("tba-one"), Daily);
        Assert.Contains(h.Simulator.State.ActiveTbaTokens(EngineHarness.Account), t => t.TokenId == original);

        h.Time.Advance(TimeSpan.FromHours(2));
        var retired = await h.Processor.RunAsync(ConnectionName.Parse("tba-one"), RunRequest.Sweep(false));

        Assert.Equal(OutcomeKind.Succeeded, retired.Kind);
        var active = h.Simulator.State.ActiveTbaTokens(EngineHarness.Account);
        Assert.Equal([after.Credentials.Current.Id], active.Select(t => t.TokenId));
        var final = (await h.GetAsync("tba-one"))!;
        Assert.Null(final.Rotation);
        Assert.Null(final.Credentials.Previous);
        Assert.Equal(ConnectionStatus.Healthy, final.Status);
    }

    [Fact]
    public async Task Frequent_sweeps_do_not_start_a_rotation_and_the_daily_sweep_does()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await h.Imports.ImportAsync(h.TbaConnection("tba-two", integration), dryRun: false);
        h.Time.Advance(TimeSpan.FromDays(91));

        var frequent = await h.Sweeps.SweepAsync(startRotations: false);
        Assert.Equal(0, frequent.Due);

        var daily = await h.Sweeps.SweepAsync(startRotations: true);
        Assert.Equal(1, daily.Due);
        var item = Assert.Single(h.Queue.Items);
        Assert.Equal(["tba-two"], item.Connections);
        var outcomes = await h.Worker.ProcessAsync(item);
        Assert.Equal(OutcomeKind.Succeeded, Assert.Single(outcomes).Kind);
        Assert.Equal(2, h.Simulator.State.ActiveTbaTokens(EngineHarness.Account).Count);
    }

    [Fact]
    public async Task Dry_run_says_what_it_would_do_and_touches_nothing()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await h.Imports.ImportAsync(h.TbaConnection("tba-dry", integration), dryRun: false);
        var writesBefore = h.StateVault.Counters.Writes;
        var auditBefore = h.Simulator.State.AuditTrail.Count;

        var outcome = await h.Processor.RunAsync(ConnectionName.Parse("tba-dry"), new RunRequest { Now = true, DryRun = true, Trigger = "rotate-now" });

        Assert.Equal(OutcomeKind.DryRun, outcome.Kind);
        Assert.Contains("would rotate the TBA token", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(writesBefore, h.StateVault.Counters.Writes);
        Assert.Equal(auditBefore, h.Simulator.State.AuditTrail.Count);
        Assert.Single(h.Simulator.State.ActiveTbaTokens(EngineHarness.Account));
    }

    internal static async Task<string?> PublishedTokenIdAsync(EngineHarness h, string name)
    {
        var published = await h.Consumers.GetAsync(ConnectionName.Parse(name));
        if (published is null)
        {
            return null;
        }

        using var json = JsonDocument.Parse(published.Value);
        return json.RootElement.GetProperty("tokenId").GetString();
    }
}
