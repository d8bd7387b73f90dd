using System.Diagnostics;
using System.Net.Http.Headers;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Bench;

/// <summary>
/// <c>--bench</c>: measures resource requests per second on loopback (half OAuth 1.0a-signed RESTlet calls,
/// half bearer REST record calls), bounded in time. A measurement to report, not a unit-test assertion.
/// </summary>
internal static class LoadBenchmark
{
    public static async Task<int> RunAsync(int seconds, int concurrency, int accounts, int connectionsPerAccount)
    {
        await using var simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions { AuditTrailCapacity = 10_000 });
        var seed = simulator.State.SeedBulk(new BulkSeedSpec
        {
            Accounts = accounts,
            ConnectionsPerAccount = connectionsPerAccount,
            ConcurrencyLimit = 1_000,
            IncludeOAuth2Public = false,
            IncludeClientCredentials = false,
        });
        var tba = seed.Seeded.Where(c => c.Kind == SeededKind.Tba).ToArray();
        var bearer = seed.Seeded.Where(c => c.Kind == SeededKind.OAuth2Confidential)
            .Select(c => (c.Account, Token: simulator.State.IssueOAuth2Tokens(c.Account, c.ClientId, c.Email, c.RoleId).AccessToken))
            .ToArray();
        Console.WriteLine($"Seeded {seed.Connections} connections in {accounts} accounts in {seed.Elapsed.TotalSeconds:F1} s; {tba.Length} TBA, {bearer.Length} bearer.");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseCookies = false });
        var warmup = await RunForAsync(simulator, http, tba, bearer, TimeSpan.FromSeconds(2), concurrency);
        Console.WriteLine($"Warm-up: {warmup.Ok} requests.");
        var result = await RunForAsync(simulator, http, tba, bearer, TimeSpan.FromSeconds(seconds), concurrency);
        var rps = result.Ok / result.Elapsed.TotalSeconds;
        Console.WriteLine($"""
            Resource requests on loopback, {concurrency} concurrent clients, {result.Elapsed.TotalSeconds:F1} s:
              succeeded {result.Ok}, failed {result.Failed}
              throughput {rps:F0} requests/second
              latency p50 {result.P50:F2} ms, p99 {result.P99:F2} ms
              process working set {Environment.WorkingSet / 1024 / 1024} MiB
            """);
        return result.Failed == 0 ? 0 : 1;
    }

    private sealed record Outcome(long Ok, long Failed, TimeSpan Elapsed, double P50, double P99);

    private static async Task<Outcome> RunForAsync(
        NetSuiteSimulator simulator, HttpClient http, SeededConnection[] tba, (string Account, string Token)[] bearer, TimeSpan duration, int concurrency)
    {
        long ok = 0, failed = 0;
        var latencies = new List<double>[concurrency];
        var stopwatch = Stopwatch.StartNew();
        var deadline = stopwatch.Elapsed + duration;
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(64_000);
            var n = worker;
            while (stopwatch.Elapsed < deadline)
            {
                n++;
                using var request = n % 2 == 0 && tba.Length > 0
                    ? SignedRestlet(simulator, tba[n % tba.Length])
                    : BearerRecord(simulator, bearer[n % bearer.Length]);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request);
                    await response.Content.LoadIntoBufferAsync();
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref ok);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }

                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stopwatch.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        return new Outcome(ok, failed, elapsed, Percentile(0.50), Percentile(0.99));
    }

    private static HttpRequestMessage SignedRestlet(NetSuiteSimulator simulator, SeededConnection connection)
    {
        var url = new Uri(simulator.RestletUrl(connection.Account, "6", "1"));
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        var header = OAuth1.CreateAuthorizationHeader(
            "GET", url, connection.Account, connection.ClientId, connection.ClientSecret!, connection.TokenId!, connection.TokenSecret!,
            OAuth1.NewNonce(), simulator.TimeProvider.GetUtcNow().ToUnixTimeSeconds());
        request.Headers.TryAddWithoutValidation("Authorization", header);
        return request;
    }

    private static HttpRequestMessage BearerRecord(NetSuiteSimulator simulator, (string Account, string Token) connection)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, simulator.RecordUrl(connection.Account, "employee/40"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.Token);
        return request;
    }
}
