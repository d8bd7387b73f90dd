using System.Security.Cryptography;
using System.Text.Json;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Stores;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>architecture section 3: a sweep reads property pages, never values; values only of what is due; writes only for those.</summary>
public sealed class SweepScaleTests(ITestOutputHelper output)
{
    private const string Account = EngineHarness.Account;
    private const int Idle = 990;
    private const int DueTba = 5;
    private const int DueOAuth = 5;
    private const int ServiceSecrets = 2;

    [Fact]
    public async Task Sweep_over_1000_connections_with_10_due_reads_pages_only_then_reads_and_writes_only_the_due_ones()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount(twoFactor: false);
        var now = h.Time.GetUtcNow();
        var defaults = new RotationOptions();
        var vault = h.StateVault.State;

        void Seed(ConnectionDocument doc, DateTimeOffset? accessExpires = null) =>
            vault.Seed(SecretNames.State(N(doc.Name)), doc.ToJson(), KeyVaultConnectionStore.JsonContentType,
                Scheduler.Index(doc, defaults, accessExpires).ToTags().AsReadOnly());

        // 990 connections with nothing due (TBA tokens rotated today: next rotation in 90 days).
        for (var i = 0; i < Idle; i++)
        {
            Seed(new ConnectionDocument
            {
                Name = $"idle-{i:D4}",
                Kind = ConnectionKind.Tba,
                Account = Account,
                Generation = 3,
                Tba = new TbaDefinition
                {
                    ConsumerKey = integration.ConsumerKey,
                    ConsumerSecret = Random(),
                    User = new RotationUser { Email = EngineHarness.UserEmail, Password = Random(), RoleId = "1000" },
                },
                Credentials = new CredentialSlots { Current = new RotatedCredential { Id = Random(), Secret = Random(), IssuedAt = now } },
            });
        }

        // 5 TBA connections whose previous token's grace period is over (due: revoke it, then one state write each).
        var due = new List<string>();
        for (var i = 0; i < DueTba; i++)
        {
            var doc = h.TbaConnection($"due-tba-{i}", integration);
            var previous = h.Simulator.State.IssueTbaToken(Account, integration.ConsumerKey, EngineHarness.UserEmail, 1000, name: $"previous-{i}");
            doc.Generation = 4;
            doc.Status = ConnectionStatus.Rotating;
            doc.Rotation = new RotationProgress { RotationId = $"due-tba-{i}-r", Step = RotationStep.Promoted, StartedAt = now - TimeSpan.FromDays(2) };
            doc.Credentials.Previous = new RotatedCredential { Id = previous.TokenId, Secret = previous.TokenSecret, Name = previous.Name, IssuedAt = now - TimeSpan.FromDays(90), RetireAfter = now - TimeSpan.FromHours(1) };
            Seed(doc);
            h.ConsumerVault.State.Seed(SecretNames.Consumer(N(doc.Name)), JsonSerializer.Serialize(new { tokenId = doc.Credentials.Current!.Id }));
            due.Add(doc.Name);
        }

        // 5 confidential OAuth 2.0 connections whose access token ends in 5 minutes (due: refresh, publish, tags only).
        for (var i = 0; i < DueOAuth; i++)
        {
            var doc = await h.ConsentedOAuth2ConnectionAsync($"due-oauth-{i}", integration, publicClient: false);
            doc.Generation = 2;
            Seed(doc, now + TimeSpan.FromMinutes(5));
            due.Add(doc.Name);
        }

        // The service's own secrets share the vault (k = 2).
        vault.Seed("key-consent-signing", Random());
        vault.Seed("key-verifier-encryption", Random());
        Assert.Equal(Idle + DueTba + DueOAuth + ServiceSecrets, vault.SecretNames.Count);

        h.StateVault.Counters.Reset();
        var sweep = await h.Sweeps.SweepAsync(startRotations: false);

        var maxPages = (int)Math.Ceiling((Idle + DueTba + DueOAuth + ServiceSecrets) / 25.0);
        var afterSweep = h.StateVault.Counters.Snapshot();
        output.WriteLine($"sweep: {sweep.Connections} connections, {sweep.Due} due, {afterSweep.ListPages} list pages (at most {maxPages}), {afterSweep.Reads} values read, {afterSweep.Writes} writes, {afterSweep.PropertyUpdates} tag updates");
        Assert.Equal(Idle + DueTba + DueOAuth, sweep.Connections);
        Assert.Equal(DueTba + DueOAuth, sweep.Due);
        Assert.True(afterSweep.ListPages <= maxPages, $"{afterSweep.ListPages} pages > {maxPages}");
        Assert.Equal(0, afterSweep.Reads);
        Assert.Equal(0, afterSweep.Writes);
        Assert.Equal(0, afterSweep.PropertyUpdates);
        var item = Assert.Single(h.Queue.Items);
        Assert.Equal(due.Order(StringComparer.Ordinal), item.Connections.Order(StringComparer.Ordinal));

        h.StateVault.Counters.Reset();
        Assert.True(h.Queue.TryDequeue(out var message));
        var outcomes = await h.Worker.ProcessAsync(message);
        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Succeeded, o.Kind));

        // Reads: each due connection's value once; each state write is fenced by a read before and a read-back after.
        // TBA retire: 1 read + 1 write (+2 fence reads). OAuth refresh: 1 read and nothing else in the state vault: the
        // new access token's expiry goes to the index in Table storage (architecture section 13), not to a tag update.
        var work = h.StateVault.Counters.Snapshot();
        output.WriteLine($"work: {work.Reads} values read, {work.Writes} writes, {work.PropertyUpdates} tag updates, {work.ListPages} list pages");
        Assert.Equal(DueTba * 3 + DueOAuth * 1, work.Reads);
        Assert.Equal(DueTba, work.Writes);
        Assert.Equal(0, work.PropertyUpdates);
        Assert.Equal(0, work.ListPages);
        foreach (var name in vault.SecretNames)
        {
            var counters = h.StateVault.Counters.ForSecret(name);
            var expected = name.StartsWith("conn-due-tba-", StringComparison.Ordinal) ? (3, 1, 0)
                : name.StartsWith("conn-due-oauth-", StringComparison.Ordinal) ? (1, 0, 0)
                : (0, 0, 0);
            Assert.True((counters.Reads, counters.Writes, counters.PropertyUpdates) == expected, $"{name}: {counters}, expected (reads, writes, tag updates) {expected}");
        }

        // And the next sweep finds nothing due, from the index in Table storage: not one Key Vault request.
        h.StateVault.Counters.Reset();
        Assert.Equal(0, (await h.Sweeps.SweepAsync(startRotations: false)).Due);
        Assert.Equal(0, h.StateVault.Counters.TotalRequests);
    }

    private static string Random() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
