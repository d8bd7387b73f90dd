using System.Diagnostics.CodeAnalysis;

namespace TokenRotation.Coordination;

/// <summary>Work items in this process (CLI demo, tests), in the order they were enqueued.</summary>
public sealed class InMemoryWorkQueue : IWorkQueue
{
    private readonly Queue<AccountWorkItem> _items = new();

    /// <summary>The items not yet taken, oldest first.</summary>
    public IReadOnlyList<AccountWorkItem> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    public Task EnqueueAsync(AccountWorkItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_items)
        {
            _items.Enqueue(item);
        }

        return Task.CompletedTask;
    }

    /// <summary>Takes the oldest item; false when the queue is empty.</summary>
    public bool TryDequeue([NotNullWhen(true)] out AccountWorkItem? item)
    {
        lock (_items)
        {
            return _items.TryDequeue(out item);
        }
    }
}
