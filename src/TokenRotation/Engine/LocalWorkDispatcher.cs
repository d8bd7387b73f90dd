using System.Collections.Concurrent;
using TokenRotation.Coordination;

namespace TokenRotation.Engine;

/// <summary>
/// Drains an <see cref="InMemoryWorkQueue"/> the way the Functions host drains the storage queue: up to
/// <see cref="EngineOptions.WorkerParallelism"/> account messages at once, each one's connections in sequence through
/// <see cref="AccountWorker"/>. Used where there is no queue trigger (the CLI, the demo, the benchmark).
/// </summary>
public sealed class LocalWorkDispatcher(InMemoryWorkQueue queue, AccountWorker worker, int parallelism)
{
    public int Parallelism { get; } = Math.Max(1, parallelism);

    /// <summary>Processes every queued message (and any enqueued meanwhile); returns every connection's outcome.</summary>
    public async Task<IReadOnlyList<ConnectionOutcome>> DrainAsync(CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(worker);
        var outcomes = new ConcurrentQueue<ConnectionOutcome>();
        var workers = new Task[Parallelism];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(
                async () =>
                {
                    while (!cancellationToken.IsCancellationRequested && queue.TryDequeue(out var item))
                    {
                        foreach (var outcome in await worker.ProcessAsync(item, cancellationToken).ConfigureAwait(false))
                        {
                            outcomes.Enqueue(outcome);
                        }
                    }
                },
                cancellationToken);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return outcomes.ToArray();
    }
}
