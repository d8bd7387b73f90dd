using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using TokenRotation.Configuration;
using TokenRotation.Coordination;
using TokenRotation.Engine;

namespace TokenRotation.Functions.Queues;

/// <summary>
/// The queue worker: one message per account, its connections in sequence under their leases. A failure is thrown
/// to the host, which retries the message (host.json <c>maxDequeueCount</c>) and then moves it to the poison queue,
/// where <see cref="RecordPoisonedWork"/> keeps it, with its last failure, for the status.
/// </summary>
public sealed partial class WorkQueueFunctions(AccountWorker worker, PoisonedWorkRecorder poisoned, ILogger<WorkQueueFunctions> logger)
{
    /// <summary>The queue named by the flat app setting <c>WorkQueueName</c> (default <c>nstoken-work</c>), the one the sweeps fill.</summary>
    public const string WorkQueue = "%" + StorageOptions.WorkQueueSetting + "%";

    /// <summary>Where the host moves a message after its last retry: the work queue's name with <c>-poison</c>.</summary>
    public const string PoisonQueue = WorkQueue + "-poison";

    /// <summary>The storage connection of the triggers (the host's own storage).</summary>
    public const string Connection = "AzureWebJobsStorage";

    [Function(nameof(ProcessAccount))]
    public async Task ProcessAccount([QueueTrigger(WorkQueue, Connection = Connection)] string message, CancellationToken cancellationToken)
    {
        if (!WorkMessages.TryParse(message, out var item))
        {
            throw new InvalidDataException("The work message is not a work item (expected the JSON of an AccountWorkItem).");
        }

        var outcomes = await worker.ProcessAsync(item, cancellationToken).ConfigureAwait(false);
        var (succeeded, troubled) = (0, 0);
        foreach (var outcome in outcomes)
        {
            succeeded += outcome.Kind == OutcomeKind.Succeeded ? 1 : 0;
            troubled += outcome.Kind is OutcomeKind.Failed or OutcomeKind.NeedsPerson ? 1 : 0;
        }

        LogProcessed(item.Account, outcomes.Count, succeeded, troubled);
    }

    [Function(nameof(RecordPoisonedWork))]
    public Task RecordPoisonedWork([QueueTrigger(PoisonQueue, Connection = Connection)] string message, CancellationToken cancellationToken) =>
        poisoned.RecordPoisonedAsync(message, cancellationToken);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Information, Message = "Work for account {Account}: {Connections} connections, {Succeeded} succeeded, {Troubled} failed or need a person")]
    private partial void LogProcessed(string account, int connections, int succeeded, int troubled);
}
