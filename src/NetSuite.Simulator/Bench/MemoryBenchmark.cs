using System.Diagnostics;

namespace NetSuite.Simulator.Bench;

/// <summary>
/// <c>--memory</c>: seeds 1,000 accounts × 10 connections (each with its own integration record, user and
/// credential: TBA token, confidential or public refresh token, or mapped certificate) and reports memory.
/// </summary>
internal static class MemoryBenchmark
{
    public static int Run(int accounts, int connectionsPerAccount)
    {
        var before = Measure();
        var state = new SimulatorState(TimeProvider.System, new SimulatorModes(), System.Security.Cryptography.RSA.Create(2048), "s.SYSTEM.2020_1", 100_000);
        var result = state.SeedBulk(new BulkSeedSpec { Accounts = accounts, ConnectionsPerAccount = connectionsPerAccount });
        var withClientCopy = Measure();
        var kinds = string.Join(", ", result.Seeded.GroupBy(s => s.Kind).Select(g => $"{g.Key} {g.Count()}"));
        var connections = result.Connections;
        var seedTime = result.Elapsed;
        result = null;
        var after = Measure();
        var tokens = state.Tokens.Count;
        Console.WriteLine($"""
            Seeded {connections} connections across {accounts} accounts in {seedTime.TotalSeconds:F1} s ({kinds}).
            State holds {state.Accounts.Count} accounts, {state.Accounts.Sum(a => a.Integrations.Count)} integration records,
              {state.Accounts.Sum(a => a.Users.Count)} users, {tokens} tokens (TBA, refresh, access), {state.Accounts.Sum(a => a.Certificates.Count)} certificates.
            Managed heap:   before {before.Heap / 1048576.0:F1} MiB, after {after.Heap / 1048576.0:F1} MiB (state only: +{(after.Heap - before.Heap) / 1048576.0:F1} MiB, {(after.Heap - before.Heap) / (double)connections:F0} bytes/connection)
            Working set:    before {before.WorkingSet / 1048576.0:F1} MiB, after {after.WorkingSet / 1048576.0:F1} MiB
            With the seeding answer (every credential, as the benchmark client keeps it): heap {withClientCopy.Heap / 1048576.0:F1} MiB
            """);
        GC.KeepAlive(state);
        return 0;
    }

    private static (long Heap, long WorkingSet) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}
