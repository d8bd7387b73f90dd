using TokenRotation.Bench;
using TokenRotation.Engine;

namespace TokenRotation.Bench.Tests;

/// <summary>
/// The CI smoke of the scale benchmark: a small N through the same code, with the simulator and the Key Vault test
/// servers in their own processes. It asserts the request counts, which are deterministic, never wall time.
/// </summary>
public sealed class BenchSmokeTests
{
    [Fact]
    public async Task Smoke_sweeps_make_the_deterministic_request_counts()
    {
        var settings = BenchSettings.Smoke;
        using var log = new StringWriter();

        var row = Assert.Single(await ScaleBenchmark.RunAsync(settings, log));

        // Nothing due: only the index is queried, in Table storage (architecture section 13); no Key Vault page is listed,
        // no value is read, nothing is written, no lease is taken.
        var nothing = row.NothingDue;
        Assert.Equal(100, nothing.Sweep.Connections);
        Assert.Equal(0, nothing.Sweep.Due);
        Assert.Equal(0, nothing.State.ListPages);
        Assert.Equal(0, nothing.Consumer.ListPages);
        Assert.Equal(0, nothing.State.Reads + nothing.Consumer.Reads);
        Assert.Equal(0, nothing.State.AllWrites + nothing.Consumer.AllWrites);
        Assert.InRange(nothing.LeaseOperations, 0, row.Accounts);
        Assert.Equal(0, nothing.NetSuiteCalls);

        // All due: every connection succeeded, each read once at least, and no account saw more than the cap.
        var all = row.AllDue;
        Assert.Equal(100, all.Sweep.Due);
        Assert.Equal(row.Accounts, all.Sweep.Messages);
        Assert.Equal(100, all.Outcomes.GetValueOrDefault(OutcomeKind.Succeeded));
        // One listing of the service key's versions: the public clients' refreshes load the key that seals their token
        // journal once, before they call NetSuite. The sweep itself lists no Key Vault page.
        Assert.Equal(1, all.State.ListPages);
        Assert.True(all.State.Reads >= 100, $"state reads {all.State.Reads}");
        Assert.Equal(100, all.Consumer.AllWrites);
        Assert.InRange(all.MaxConcurrencyPerAccount, 1, settings.AccountCap);

        // 30 TBA rotations (issuetoken + tokeninfo) and 70 single calls (refresh or mint); each of the 20 mints signs its
        // assertion with one Key Vault `sign` call on the state vault.
        Assert.Equal((30 * 2) + 70, all.NetSuiteCalls);
        Assert.Equal(20, all.State.Signs);
        Assert.Equal("ClientCredentials 20%, OAuth2Confidential 30%, OAuth2Public 20%, Tba 30%", row.Mix);

        // The engine's state-vault writes per run and kind, secret sets and tag-only updates, at their first-principles
        // minimum (architecture section 13): none for a confidential refresh or a mint, the new single-use refresh token
        // for a public client, the pending token and the promotion for a TBA rotation.
        var writes = row.Kinds.ToDictionary(k => k.Kind, k => (k.PerRun(k.StateSets), k.PerRun(k.StateTagUpdates)));
        Assert.Equal((0.0, 0.0), writes["OAuth2Confidential"]);
        Assert.Equal((0.0, 0.0), writes["ClientCredentials"]);
        Assert.Equal((1.0, 0.0), writes["OAuth2Public"]);
        Assert.Equal((2.0, 0.0), writes["Tba"]);
        Assert.All(row.Kinds, k => Assert.Equal(1.0, k.PerRun(k.ConsumerWrites)));

        // The first-principles ideal comes from the mix alone: 30 x 2 + 20 x 1 = 80 state writes against 100 consumer
        // writes, so the consumer vault's 30 writes per second bind.
        Assert.Equal(100 / 30.0, row.FirstPrinciples.WriteBoundSeconds, 6);
        Assert.Equal("write budget", row.FirstPrinciples.Binding);
    }
}
