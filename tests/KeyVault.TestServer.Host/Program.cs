using System.Globalization;
using KeyVault.TestServer;

// Runs one Key Vault test server until stdin closes or Ctrl+C, for a benchmark in another process.
// Prints "VaultUri=<uri>" and, with --cert-out, writes the TLS certificate (PEM) a client must trust.
var options = new KeyVaultTestServerOptions();
string? certOut = null;
for (var i = 0; i < args.Length; i++)
{
    string NextValue() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--port":
            options.Port = int.Parse(NextValue(), CultureInfo.InvariantCulture);
            break;
        case "--read-budget":
            options.ReadBudget = int.Parse(NextValue(), CultureInfo.InvariantCulture);
            break;
        case "--write-budget":
            options.WriteBudget = int.Parse(NextValue(), CultureInfo.InvariantCulture);
            break;
        case "--retry-after-ms":
            var value = NextValue();
            options.RetryAfterMilliseconds = value == "window" ? null : int.Parse(value, CultureInfo.InvariantCulture);
            break;
        case "--no-request-log":
            options.RecordRequests = false;
            break;
        case "--cert-out":
            certOut = NextValue();
            break;
        default:
            Console.Error.WriteLine("usage: kv-test-server [--port N] [--read-budget N] [--write-budget N] [--retry-after-ms N|window] [--no-request-log] [--cert-out FILE]");
            return 2;
    }
}

await using var server = await KeyVaultTestServer.StartAsync(options);
if (certOut is not null)
{
    await File.WriteAllTextAsync(certOut, server.ServerCertificatePem);
}

Console.WriteLine($"VaultUri={server.VaultUri}");
Console.WriteLine($"Counters={server.VaultUri}_testserver/counters");
Console.Out.Flush();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

// Lines on stdin steer the running server (the benchmark seeds fast, then measures with the budgets on):
//   latency MS          wall-clock latency before every request (0 clears it)
//   budgets READS WRITES  both throttle budgets per window
// Each command answers one line starting with "ok" or "error".
var stdinClosed = Task.Run(() =>
{
    while (Console.In.ReadLine() is { } line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            switch (parts)
            {
                case ["latency", var ms]:
                    server.Faults.Clear();
                    var latency = TimeSpan.FromMilliseconds(int.Parse(ms, CultureInfo.InvariantCulture));
                    if (latency > TimeSpan.Zero)
                    {
                        server.Faults.AddLatency(latency);
                    }

                    Console.WriteLine($"ok latency {latency.TotalMilliseconds} ms");
                    break;
                case ["budgets", var reads, var writes]:
                    server.Throttle.ReadBudget = int.Parse(reads, CultureInfo.InvariantCulture);
                    server.Throttle.WriteBudget = int.Parse(writes, CultureInfo.InvariantCulture);
                    Console.WriteLine($"ok budgets {server.Throttle.ReadBudget} {server.Throttle.WriteBudget}");
                    break;
                case []:
                    break;
                default:
                    Console.WriteLine("error: commands are 'latency MS' and 'budgets READS WRITES'");
                    break;
            }
        }
        catch (FormatException)
        {
            Console.WriteLine("error: numbers expected");
        }

        Console.Out.Flush();
    }
});
await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));

var c = server.Counters.Snapshot();
Console.WriteLine($"Stopped. {c}");
return 0;
