using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Azure;
using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Stores;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>architecture section 3: the state vault at its throttle for a whole TBA rotation.</summary>
public sealed class ThrottleTests(ITestOutputHelper output)
{
    private const string Prefix = "tba-throttle-";
    private const int Connections = 4;
    private const string Account = EngineHarness.Account;

    [Fact]
    public async Task Rotation_against_a_throttled_state_vault_completes_through_retries_and_the_limiter_or_fails_cleanly()
    {
        // Tiny budgets on the engine's fake clock: 5 reads and 2 writes per 10 s at the vault, 1 write per 10 s in the
        // engine's limiter (tighter than the vault, so that the limiter bites even after a throttle moved the clock to
        // the end of a vault window). Throttles come in groups of eight: for the first four the window stays shut (the SDK's four
        // attempts all get 429 and the run fails); for the next four the clock moves to the window's end, so the SDK's
        // retry goes through.
        var vaultOptions = new KeyVaultTestServerOptions { ReadBudget = 5, WriteBudget = 2 };
        await using var h = await EngineHarness.StartAsync(settings: s => s["KeyVault:WritesPer10Seconds"] = "1", vaultOptions: vaultOptions, stateVaultOnFakeClock: true);
        var throttled = 0;
        h.StateVault.Throttle.Throttled += e =>
        {
            if (Interlocked.Increment(ref throttled) % 8 is 0 or > 4)
            {
                h.Time.Advance(e.WindowResetsIn + TimeSpan.FromMilliseconds(1));
            }
        };
        var waits = new ConcurrentBag<double>();
        using var listener = ListenToLimiterWaits(h, waits);

        // Four TBA connections (a role without 2FA, so they share the user without waiting for TOTP windows).
        var integration = h.SeedAccount(twoFactor: false);
        var originals = new Dictionary<string, string>(StringComparer.Ordinal);
        var failures = new List<string>();
        for (var i = 0; i < Connections; i++)
        {
            var doc = h.TbaConnection($"{Prefix}{i}", integration);
            doc.Tba!.User.TotpSecret = null;
            originals[doc.Name] = doc.Credentials.Current!.Id;
            for (var attempt = 0; ; attempt++)
            {
                var imported = await RunAsync(h, async () => [await h.Imports.ImportAsync(doc, dryRun: false)]);
                if (imported.Failure is null)
                {
                    Assert.Equal(OutcomeKind.Succeeded, Assert.Single(imported.Outcomes!).Kind);
                    break;
                }

                failures.Add(imported.Failure);
                Assert.True(attempt < 5, $"Import kept failing: {imported.Failure}");
            }
        }

        h.Time.Advance(TimeSpan.FromDays(91));
        var runs = 0;
        var generations = originals.Keys.ToDictionary(n => n, _ => 0L, StringComparer.Ordinal);
        for (; runs < 60; runs++)
        {
            var docs = originals.Keys.Select(n => Valid(h, n, originals[n], generations)).ToList();
            if (docs.All(d => d.Rotation is null && d.Credentials.Current!.Id != originals[d.Name]))
            {
                break;
            }

            var next = docs.Select(d => d.Rotation?.NextAttemptAt ?? d.Credentials.Previous?.RetireAfter).Where(t => t > h.Time.GetUtcNow()).DefaultIfEmpty().Min();
            h.Time.Advance(next is { } at && docs.All(d => d.Rotation?.Step == RotationStep.Promoted) ? at - h.Time.GetUtcNow() + TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1));
            var run = await RunAsync(h, () => SweepAndProcessAsync(h, daily: true));
            if (run.Failure is { } failure)
            {
                failures.Add(failure);
            }
        }

        var counters = h.StateVault.Counters.Snapshot();
        output.WriteLine($"{Connections} imports and {runs} sweeps, {failures.Count} failed cleanly: {string.Join(" | ", failures.Distinct())}");
        output.WriteLine($"state vault: {counters.ThrottledReads} reads and {counters.ThrottledWrites} writes answered 429; {counters.Reads} reads, {counters.Writes} writes, {counters.PropertyUpdates} tag updates served");
        output.WriteLine($"write limiter: {waits.Count} state writes, {waits.Count(w => w > 0)} waited, {waits.Sum():0.#} s in all, longest {(waits.IsEmpty ? 0 : waits.Max()):0.##} s (fake clock)");

        foreach (var (name, original) in originals)
        {
            var final = Valid(h, name, original, generations);
            Assert.Null(final.Rotation);
            Assert.Equal(ConnectionStatus.Healthy, final.Status);
            Assert.NotEqual(original, final.Credentials.Current!.Id);
            Assert.Equal(TokenStatus.Revoked, Assert.Single(TbaTokens(h.Simulator, Account), t => t.Id == original).Status);
        }

        Assert.True(counters.ThrottledReads + counters.ThrottledWrites > 0, "The vault never throttled: the test proved nothing.");
        Assert.True(waits.Any(w => w >= 0.5), "The write limiter never made a write wait.");
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.True(f.Contains("429", StringComparison.Ordinal) || f.StartsWith(nameof(LeaseLostException), StringComparison.Ordinal),
            $"A run failed for another reason than the throttle: {f}"));
    }

    private sealed record RunResult(IReadOnlyList<ConnectionOutcome>? Outcomes, string? Failure);

    /// <summary>One run with the clock pumped along (the write limiter waits on it); a throttle failure is a clean failure.</summary>
    private static async Task<RunResult> RunAsync(EngineHarness h, Func<Task<IReadOnlyList<ConnectionOutcome>>> run)
    {
        try
        {
            // The clock moves while a write waits at either write limiter (and otherwise only through the throttle
            // handler), so writes close together in engine time meet the limiter however slow the machine is.
            var state = h.Services.GetRequiredKeyedService<SlidingWindowWriteLimiter>(StoresServiceCollectionExtensions.StateVaultKey);
            var consumer = h.Services.GetRequiredKeyedService<SlidingWindowWriteLimiter>(StoresServiceCollectionExtensions.ConsumerVaultKey);
            return new RunResult(await PumpWhileWaitingAsync(h.Time, Task.Run(run),
                () => state.GetStatistics()!.CurrentQueuedCount > 0 || consumer.GetStatistics()!.CurrentQueuedCount > 0,
                TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(10)), null);
        }
        catch (RequestFailedException ex) when (ex.Status == 429)
        {
            return new RunResult(null, $"{nameof(RequestFailedException)} {ex.Status}");
        }
        catch (LeaseLostException ex)
        {
            return new RunResult(null, $"{nameof(LeaseLostException)}: {ex.Message}");
        }
    }

    /// <summary>
    /// The stored document is always a whole, earlier or later state: its tags match its generation, generations only
    /// grow, its current token works, and consumers hold a token that works.
    /// </summary>
    private static ConnectionDocument Valid(EngineHarness h, string name, string original, Dictionary<string, long> generations)
    {
        var secret = SecretNames.State(N(name));
        var stored = h.StateVault.State.GetSecret(secret)!;
        var doc = ConnectionDocument.FromJson(stored.Value, secret);
        Assert.Equal(doc.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), stored.Tags[ConnectionIndex.GenerationTag]);
        Assert.True(doc.Generation >= generations[name], $"Generation went back from {generations[name]} to {doc.Generation}.");
        generations[name] = doc.Generation;
        var tokens = TbaTokens(h.Simulator, Account);
        Assert.Equal(TokenStatus.Active, Assert.Single(tokens, t => t.Id == doc.Credentials.Current!.Id).Status);
        switch (doc.Rotation?.Step)
        {
            case RotationStep.Issued:
                Assert.NotNull(doc.Credentials.Pending);
                break;
            case RotationStep.Promoted:
                Assert.Equal(original, doc.Credentials.Previous?.Id);
                break;
        }

        var published = TbaRotationTests.PublishedTokenIdAsync(h, name).GetAwaiter().GetResult();
        Assert.Contains(published, new[] { doc.Credentials.Current!.Id, doc.Credentials.Previous?.Id });
        Assert.Equal(TokenStatus.Active, Assert.Single(tokens, t => t.Id == published).Status);
        return doc;
    }

    private static MeterListener ListenToLimiterWaits(EngineHarness h, ConcurrentBag<double> waits)
    {
        var factory = h.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == "keyvault.write_limiter.wait")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == KeyVaultMetrics.VaultTag && Equals(tag.Value, KeyVaultMetrics.StateVault))
                {
                    waits.Add(value);
                }
            }
        });
        listener.Start();
        return listener;
    }
}
