using System.Globalization;

namespace TokenRotation.Bench.Soak;

/// <summary><c>soak</c>: parses the options, runs the soak, exits non-zero on any violation.</summary>
public static class SoakCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var settings = new SoakSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Double() => double.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--days": settings = settings with { Days = Int() }; break;
                case "--seed": settings = settings with { Seed = Int() }; break;
                case "--accounts": settings = settings with { Accounts = Int() }; break;
                case "--step-minutes": settings = settings with { Step = TimeSpan.FromMinutes(Int()) }; break;
                case "--faults-per-day": settings = settings with { FaultsPerDay = Double() }; break;
                case "--crashes-per-day": settings = settings with { CrashesPerDay = Double() }; break;
                case "--people-per-day": settings = settings with { PeoplePerDay = Double() }; break;
                case "--parallelism": settings = settings with { Parallelism = Int() }; break;
                case "--keep-going": settings = settings with { KeepGoing = true }; break;
                case "--help" or "-h":
                    output.WriteLine("""
                        Chaos soak: the engine, the NetSuite simulator and both Key Vault test servers in this process on one fake
                        clock; faults, crashes and people's actions drawn from the seed; every invariant checked after every step.
                          --days 30               simulated days
                          --seed 1                the seed; the same seed replays the same faults
                          --accounts 3            NetSuite accounts (4 connections each, one more TBA on the first)
                          --step-minutes 5        simulated time between steps (sweep, queue, consumer calls, invariants)
                          --faults-per-day 12     faults per simulated day on average
                          --crashes-per-day 4     engine crashes per simulated day on average
                          --people-per-day 2      rotate-now, pause and resume, rollback per simulated day on average
                          --parallelism 4         accounts the queue worker drains at once
                          --keep-going            do not stop at the first step with a violation
                        Ends with: soak: <days> days, <connections> connections, <faults> faults, <crashes> crashes,
                        <violations> invariant violations, <n> consumer failures unexplained. Exit code 1 on any violation.
                        """);
                    return 0;
                default:
                    output.WriteLine($"Unknown soak option {args[i]}; see soak --help.");
                    return 2;
            }
        }

        var result = await SoakRunner.RunAsync(settings, output).ConfigureAwait(false);
        output.WriteLine();
        output.WriteLine(result.Markdown());
        output.WriteLine(result.SummaryLine);
        return result.Violations == 0 && result.UnexplainedConsumerFailures == 0 ? 0 : 1;
    }
}
