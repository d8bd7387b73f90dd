using System.Diagnostics;
using TokenRotation.Coordination;
using TokenRotation.Stores;
using TokenRotation.Telemetry;

namespace TokenRotation.Engine;

/// <summary>
/// The timers' work (architecture section 7): list the state vault's properties (tags only, no values), find the
/// connections that are due, and enqueue one message per account naming its due connections. Only the daily
/// sweep starts new TBA and certificate rotations; any sweep advances what is due.
/// </summary>
public sealed class SweepService(IConnectionStore store, IWorkQueue queue, RotationTelemetry telemetry, TimeProvider time)
{
    /// <summary>Names per message; a queue message holds 64 KB and a name at most 100 characters.</summary>
    public const int MaxNamesPerMessage = 400;

    public async Task<SweepResult> SweepAsync(bool startRotations, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var total = 0;
        var due = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        await foreach (var index in store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            total++;
            if (index.IsDue(now, startRotations))
            {
                if (!due.TryGetValue(index.Account, out var names))
                {
                    due[index.Account] = names = [];
                }

                names.Add(index.Name.Value);
            }
        }

        var messages = 0;
        foreach (var (account, names) in due)
        {
            foreach (var chunk in names.Chunk(MaxNamesPerMessage))
            {
                await queue.EnqueueAsync(new AccountWorkItem(account, chunk, now, startRotations), cancellationToken).ConfigureAwait(false);
                messages++;
            }
        }

        var result = new SweepResult(total, due.Values.Sum(n => n.Count), due.Count, messages);
        telemetry.SweepCompleted(startRotations ? "daily" : "frequent", result.Connections, result.Due, result.Accounts, Stopwatch.GetElapsedTime(started));
        return result;
    }
}
