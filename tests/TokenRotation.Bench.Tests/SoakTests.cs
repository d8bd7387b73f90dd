using TokenRotation.Bench.Soak;

namespace TokenRotation.Bench.Tests;

/// <summary>
/// The CI run of the chaos soak: a few simulated days over two accounts, with faults, crashes and people's actions
/// drawn from a fixed seed, and every invariant checked after every step. The 30-day figures are in bench/results.md.
/// </summary>
public sealed class SoakTests
{
    [Fact]
    public async Task A_short_seeded_soak_breaks_no_invariant_and_every_consumer_failure_has_an_injected_cause()
    {
        using var log = new StringWriter();

        var result = await SoakRunner.RunAsync(SoakSettings.Short with { Seed = 7 }, log);

        Assert.True(result.Violations == 0, "Invariant violations:\n" + log);
        Assert.Equal(0, result.UnexplainedConsumerFailures);
        Assert.Equal(SoakSettings.Short.Days, result.Days);

        // It did soak: faults of several kinds, crashes, and a consumer that called NetSuite every step.
        Assert.True(result.FaultsByKind.Count >= 4, $"Only {result.FaultsByKind.Count} fault kinds were drawn.");
        Assert.True(result.Crashes >= 1, "No engine crash happened.");
        Assert.Equal(result.Connections * SoakSettings.Short.Days * 24 * 12, result.ConsumerCalls);
        Assert.Equal(result.PersonNeededEvents, result.PersonNeededExplained);
        Assert.EndsWith("0 invariant violations, 0 consumer failures unexplained", result.SummaryLine, StringComparison.Ordinal);
    }
}
