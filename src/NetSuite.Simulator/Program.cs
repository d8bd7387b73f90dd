using System.Globalization;
using NetSuite.Simulator.Bench;

namespace NetSuite.Simulator;

/// <summary>
/// <c>dotnet run --project src/NetSuite.Simulator [-- --port 5080]</c>: the simulator on a loopback port with the
/// sample account. <c>--bench</c> measures resource requests per second; <c>--memory</c> measures the memory
/// of 10,000 seeded connections across 1,000 accounts.
/// </summary>
internal static class SimulatorProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = ParseArguments(args);
        if (options.ContainsKey("help") || options.ContainsKey("h"))
        {
            Console.WriteLine("""
                NetSuite simulator
                  (no option)        run on 127.0.0.1 with the sample account; Ctrl+C stops
                  --port N           listen on port N (default: a free port)
                  --log              Kestrel logging on the console
                  --bench            measure resource requests/second (options: --seconds 10 --concurrency 32)
                  --memory           measure memory for 10,000 connections across 1,000 accounts (options: --accounts 1000 --connections 10)
                """);
            return 0;
        }

        if (options.ContainsKey("bench"))
        {
            return await LoadBenchmark.RunAsync(
                Int(options, "seconds", 10), Int(options, "concurrency", 32), Int(options, "accounts", 100), Int(options, "connections", 10));
        }

        if (options.ContainsKey("memory"))
        {
            return MemoryBenchmark.Run(Int(options, "accounts", 1000), Int(options, "connections", 10));
        }

        var clock = new AdjustableTimeProvider();
        await using var simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions
        {
            Port = Int(options, "port", 0),
            SeedSampleAccount = true,
            TimeProvider = clock,
            EnableLogging = options.ContainsKey("log"),
            UseConsoleLifetime = true,
        });

        var account = simulator.State.GetAccount(SampleSeed.AccountId);
        Console.WriteLine($$"""
            NetSuite simulator listening on {{simulator.BaseUrl}}  (loopback only; not NetSuite)

            URL templates ({account} = host-label form, e.g. {{account.HostLabel}}):
              SuiteTalk  {{simulator.SuiteTalkTemplate}}
              RESTlets   {{simulator.RestletsTemplate}}
              App        {{simulator.AppTemplate}}
              Discovery  {{simulator.BaseUrl}}/rest/datacenterurls?account={{account.Id}}

            Sample account {{account.Id}} (realm) / {{account.HostLabel}} (host label), concurrency limit {{account.ConcurrencyLimit}}:
              user            {{SampleSeed.Email}} (roles 3 Administrator with two-factor, 1000 Integration Role)
              confidential    client id / consumer key {{SampleSeed.ClientId}}
              public client   client id {{SampleSeed.PublicClientId}}
              TBA token id    {{SampleSeed.TokenId}}
              secrets         GET {{simulator.BaseUrl}}/_admin/sample

            Try:
              consent page    {{simulator.AuthorizeUrl(account.Id)}}?response_type=code&client_id={{SampleSeed.ClientId}}&redirect_uri={{Uri.EscapeDataString(SampleSeed.RedirectUris[0])}}&scope=rest_webservices&state=abcdefghijklmnopqrstuvwxyz
              token endpoint  POST {{simulator.TokenUrl(account.Id)}}
              admin API       GET {{simulator.BaseUrl}}/_admin/   (seed accounts, inspect tokens and the audit trail, modes, faults)
              clock           POST {{simulator.BaseUrl}}/_admin/clock/advance  {"seconds":3600}

            Press Ctrl+C to stop.
            """);
        await simulator.WaitForShutdownAsync();
        return 0;
    }

    private static Dictionary<string, string> ParseArguments(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith('-'))
            {
                continue;
            }

            var name = args[i].TrimStart('-');
            var value = i + 1 < args.Length && !args[i + 1].StartsWith('-') ? args[++i] : "true";
            result[name] = value;
        }

        return result;
    }

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
