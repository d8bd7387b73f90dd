using TokenRotation.Connections;
using TokenRotation.Coordination;

namespace TokenRotation.Engine;

/// <summary>
/// The queue worker's work: one account's due connections, in sequence, each under its lease. A message for work
/// that is no longer due is a no-op: each connection re-checks its own schedule from its stored tags.
/// </summary>
public sealed class AccountWorker(ConnectionProcessor processor)
{
    public async Task<IReadOnlyList<ConnectionOutcome>> ProcessAsync(AccountWorkItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var outcomes = new List<ConnectionOutcome>(item.Connections.Count);
        foreach (var raw in item.Connections)
        {
            if (!ConnectionName.TryParse(raw, out var name))
            {
                outcomes.Add(new ConnectionOutcome(raw, OutcomeKind.Refused, "Not a valid connection name; message ignored.", ConnectionStatus.NeedsPerson, null, []));
                continue;
            }

            outcomes.Add(await processor.RunAsync(name, RunRequest.Sweep(item.StartRotations), cancellationToken).ConfigureAwait(false));
        }

        return outcomes;
    }
}
