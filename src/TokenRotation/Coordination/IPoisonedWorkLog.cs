namespace TokenRotation.Coordination;

/// <summary>
/// Where poisoned work is kept. A queue message keeps its text but not its id when it is moved to the poison queue,
/// so failures and poisoned messages are matched by <see cref="MessageKey"/>, a hash of the message text.
/// </summary>
public interface IPoisonedWorkLog
{
    /// <summary>Remembers why the latest attempt at a work message failed (the poison handler reports it).</summary>
    Task RecordFailureAsync(string messageKey, string reason, DateTimeOffset failedAt, CancellationToken cancellationToken = default);

    /// <summary>The reason of the latest failure of a message; null when none was recorded.</summary>
    Task<string?> GetLastFailureAsync(string messageKey, CancellationToken cancellationToken = default);

    /// <summary>Keeps a poisoned message (and forgets its failure record).</summary>
    Task AddAsync(PoisonedWork work, CancellationToken cancellationToken = default);

    /// <summary>Poisoned messages, newest first.</summary>
    Task<IReadOnlyList<PoisonedWork>> ListAsync(int max = 50, CancellationToken cancellationToken = default);
}
