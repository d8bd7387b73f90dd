using System.Globalization;
using System.Runtime.InteropServices;
using TokenRotation.Bench;

// dotnet run -c Release --project bench/TokenRotation.Bench [-- --smoke] [--n 1000,10000] [--accounts 1000] [--parallelism 16] [--azurite] [--out bench]
// dotnet run -c Release --project bench/TokenRotation.Bench -- soak [--days 30] [--seed N] ...
if (args.Length > 0 && args[0] == "soak")
{
    return await TokenRotation.Bench.Soak.SoakCommand.RunAsync(args[1..], Console.Out);
}

var settings = new BenchSettings();
string? output = null;
var smoke = false;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--smoke": settings = BenchSettings.Smoke; smoke = true; break;
        case "--n": settings = settings with { Connections = Next().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray() }; break;
        case "--accounts": settings = settings with { Accounts = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--parallelism": settings = settings with { Parallelism = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--netsuite-latency-ms": settings = settings with { NetSuiteLatencyMs = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--keyvault-latency-ms": settings = settings with { KeyVaultLatencyMs = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--azurite": settings = settings with { Azurite = true }; break;
        case "--out": output = Next(); break;
        case "--help" or "-h":
            Console.WriteLine("""
                Scale benchmark of the nstoken engine (the simulator and the Key Vault test servers run as child processes).
                Chaos soak: `soak --help` (30 simulated days of faults, crashes and people's actions; every invariant after every step).
                  --smoke                 N = 100 over 10 accounts, no latency (what CI runs)
                  --n 1000,10000          connection counts (default 1000,10000)
                  --accounts 1000         accounts (default 1000)
                  --parallelism 16        Engine:WorkerParallelism
                  --netsuite-latency-ms 150  --keyvault-latency-ms 20
                  --azurite               blob leases on Azurite (tools/azurite; npm ci --prefix tools/azurite), renewals counted
                  --out DIR               write results.md and results.png there (default: bench/ of the repository; not in --smoke)
                """);
            return 0;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}; see --help.");
            return 2;
    }
}

var rows = await ScaleBenchmark.RunAsync(settings, Console.Out);
var machine = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
var markdown = Report.Markdown(rows, machine, DateTimeOffset.UtcNow);
Console.WriteLine();
Console.WriteLine(markdown);
if (!smoke || output is not null)
{
    var folder = output ?? Path.Combine(ChildPrograms.RepositoryRoot(), "bench");
    Directory.CreateDirectory(folder);
    var resultsPath = Path.Combine(folder, "results.md");
    var existing = File.Exists(resultsPath) ? await File.ReadAllTextAsync(resultsPath) : null;
    await File.WriteAllTextAsync(resultsPath, Report.KeepingSoakSection(markdown, existing));
    Report.Chart(rows, Path.Combine(folder, "results.png"));
    Console.WriteLine($"Wrote {Path.Combine(folder, "results.md")} and results.png");
}

return 0;
