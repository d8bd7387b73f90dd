using System.Text.Json;
using Azure.Storage.Queues;

namespace TokenRotation.Coordination;

/// <summary>
/// Work items on an Azure Storage queue, one message per account. The body is the item as JSON, base64-encoded:
/// the Functions queue trigger expects base64 unless <c>host.json</c> sets <c>extensions.queues.messageEncoding</c>
/// to <c>none</c>. The encoding is done here, so the <see cref="QueueClient"/> must use the SDK's default
/// (<see cref="QueueMessageEncoding.None"/>), as the clients of <see cref="Stores.StorageClients"/> do.
/// </summary>
internal sealed class StorageWorkQueue : IWorkQueue
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly QueueClient _queue;
    private Task? _queueReady;

    public StorageWorkQueue(QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _queue = queue;
    }

    public async Task EnqueueAsync(AccountWorkItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var ready = _queueReady;
        if (ready is null || ready.IsFaulted || ready.IsCanceled)
        {
            ready = _queueReady = _queue.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        }

        await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _queue.SendMessageAsync(Encode(item), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The message text for an item: base64 of its UTF-8 JSON.</summary>
    public static string Encode(AccountWorkItem item) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(item, Json));

    /// <summary>Reads a message text made by <see cref="Encode"/>.</summary>
    public static AccountWorkItem Decode(string messageText)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        return JsonSerializer.Deserialize<AccountWorkItem>(Convert.FromBase64String(messageText), Json)
            ?? throw new InvalidDataException("The work item message is empty.");
    }
}
