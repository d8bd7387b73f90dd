namespace TokenRotation.Coordination;

/// <summary>Poisoned work in this process (tests, the CLI demo).</summary>
internal sealed class InMemoryPoisonedWorkLog : IPoisonedWorkLog
{
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly List<PoisonedWork> _poisoned = [];

    public Task RecordFailureAsync(string messageKey, string reason, DateTimeOffset failedAt, CancellationToken cancellationToken = default)
    {
        lock (_poisoned)
        {
            _failures[messageKey] = reason;
        }

        return Task.CompletedTask;
    }

    public Task<string?> GetLastFailureAsync(string messageKey, CancellationToken cancellationToken = default)
    {
        lock (_poisoned)
        {
            return Task.FromResult(_failures.TryGetValue(messageKey, out var reason) ? reason : null);
        }
    }

    public Task AddAsync(PoisonedWork work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_poisoned)
        {
            _poisoned.Add(work);
            _failures.Remove(work.MessageKey);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PoisonedWork>> ListAsync(int max = 50, CancellationToken cancellationToken = default)
    {
        lock (_poisoned)
        {
            return Task.FromResult<IReadOnlyList<PoisonedWork>>(_poisoned.OrderByDescending(p => p.PoisonedAt).Take(max).ToArray());
        }
    }
}
