using Microsoft.Extensions.Options;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>The operator's view of every connection (the CLI's status, the status page). Reads only; never a secret.</summary>
public sealed class ConnectionStatusQuery(IConnectionStore store, IOptions<RotationOptions> rotationOptions, TimeProvider time)
{
    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Every connection with what an operator needs to see; what needs a person first. Never a secret.</summary>
    public async Task<IReadOnlyList<ConnectionStatusView>> StatusAsync(CancellationToken cancellationToken = default)
    {
        var names = new List<ConnectionName>();
        await foreach (var index in store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(index.Name);
        }

        var views = new ConnectionStatusView?[names.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var doc = await store.GetAsync(names[i], ct).ConfigureAwait(false);
            var index = doc is null ? null : Scheduler.Index(doc, rotationOptions.Value, null, Now);
            views[i] = doc is null ? null : ConnectionStatusView.From(doc, index!) with { Events = ConnectionEvents.From(doc, index!, rotationOptions.Value) };
        }).ConfigureAwait(false);

        return views.OfType<ConnectionStatusView>()
            .OrderBy(v => v.State switch { ConnectionStatus.NeedsPerson => 0, ConnectionStatus.Failing => 1, ConnectionStatus.Rotating => 2, ConnectionStatus.Paused => 3, _ => 4 })
            .ThenBy(v => v.Name, StringComparer.Ordinal)
            .ToArray();
    }
}
