using System.Diagnostics;
using System.Runtime.CompilerServices;

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
        var (connections, seedTime, kinds, withAnswer) = Seed(state, accounts, connectionsPerAccount);
        var after = Measure();
        Console.WriteLine($"""
            Seeded {connections} connections across {accounts} accounts in {seedTime.TotalSeconds:F1} s ({kinds}).
            State holds {state.Accounts.Count} accounts, {state.Accounts.Sum(a => a.Integrations.Count)} integration records,
              {state.Accounts.Sum(a => a.Users.Count)} users, {state.Tokens.Count} tokens (TBA, refresh, access), {state.Accounts.Sum(a => a.Certificates.Count)} certificates.
            Managed heap:   before {before.Heap / 1048576.0:F1} MiB, after {after.Heap / 1048576.0:F1} MiB (state only: +{(after.Heap - before.Heap) / 1048576.0:F1} MiB, {(after.Heap - before.Heap) / (double)connections:F0} bytes/connection)
            Working set:    before {before.WorkingSet / 1048576.0:F1} MiB, after {after.WorkingSet / 1048576.0:F1} MiB
            While the seeding answer (every credential, as a benchmark client keeps it) was also held: heap {withAnswer.Heap / 1048576.0:F1} MiB, working set {withAnswer.WorkingSet / 1048576.0:F1} MiB
            """);
        GC.KeepAlive(state);
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (int Connections, TimeSpan Elapsed, string Kinds, (long Heap, long WorkingSet) WithAnswer) Seed(SimulatorState state, int accounts, int connectionsPerAccount)
    {
        var result = state.SeedBulk(new BulkSeedSpec { Accounts = accounts, ConnectionsPerAccount = connectionsPerAccount });
        var withAnswer = Measure();
        var kinds = string.Join(", ", result.Seeded.GroupBy(s => s.Kind).Select(g => $"{g.Key} {g.Count()}"));
        return (result.Connections, result.Elapsed, kinds, withAnswer);
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
