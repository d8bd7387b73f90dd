using Microsoft.Extensions.Logging;
using TokenRotation.Coordination;

namespace TokenRotation.Functions.Queues;

/// <summary>
/// Keeps the reason a work message failed (the middleware records each failure) and, once the host gives up on it,
/// the poisoned message with that reason, so the status shows it and the log says why.
/// </summary>
public sealed partial class PoisonedWorkRecorder(IPoisonedWorkLog log, TimeProvider timeProvider, ILogger<PoisonedWorkRecorder> logger)
{
    /// <summary>Remembers why this attempt at <paramref name="messageText"/> failed: type and message, never a stack trace.</summary>
    public Task RecordFailureAsync(string messageText, Exception exception, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        ArgumentNullException.ThrowIfNull(exception);
        var reason = $"{exception.GetType().Name}: {exception.Message}";
        return log.RecordFailureAsync(WorkMessages.Key(messageText), reason, timeProvider.GetUtcNow(), cancellationToken);
    }

    public async Task<PoisonedWork> RecordPoisonedAsync(string messageText, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        var key = WorkMessages.Key(messageText);
        var reason = await log.GetLastFailureAsync(key, cancellationToken).ConfigureAwait(false)
            ?? "no failure was recorded for this message; see the ProcessAccount failures in the logs";
        var readable = WorkMessages.TryParse(messageText, out var item);
        var work = new PoisonedWork(
            key,
            item?.Account,
            item?.Connections ?? [],
            item?.EnqueuedAt,
            timeProvider.GetUtcNow(),
            readable ? reason : "the message is not a work item; " + reason);
        await log.AddAsync(work, cancellationToken).ConfigureAwait(false);
        LogPoisoned(work.Account ?? "(unreadable)", string.Join(", ", work.Connections), work.Reason);
        return work;
    }

    [LoggerMessage(EventId = 1420, EventName = "WorkPoisoned", Level = LogLevel.Error,
        Message = "WorkPoisoned: the work for account {Account} (connections {Connections}) failed on every retry and was set aside: {Reason}")]
    private partial void LogPoisoned(string account, string connections, string reason);
}
