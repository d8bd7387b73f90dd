using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Testing.Shared;
using TokenRotation.Coordination;

namespace TokenRotation.Tests.Coordination;

/// <summary>Work items come out as they went in, in order, whatever the implementation.</summary>
public abstract class WorkQueueContract : IAsyncLifetime
{
    protected IWorkQueue Queue { get; private set; } = null!;

    public async Task InitializeAsync() => Queue = await CreateQueueAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IWorkQueue> CreateQueueAsync();

    /// <summary>Every item enqueued so far, oldest first, read the way the consumer reads them.</summary>
    protected abstract Task<IReadOnlyList<AccountWorkItem>> ReadAllAsync();

    [Fact]
    public async Task Items_round_trip_in_order()
    {
        var first = new AccountWorkItem("1234567_SB1", ["conn-a", "conn-b"], new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), StartRotations: false);
        var second = new AccountWorkItem("7654321", ["conn-c"], new DateTimeOffset(2026, 3, 1, 8, 5, 0, TimeSpan.Zero), StartRotations: true);

        await Queue.EnqueueAsync(first);
        await Queue.EnqueueAsync(second);

        var read = await ReadAllAsync();
        Assert.Equal(2, read.Count);
        AssertSame(first, read[0]);
        AssertSame(second, read[1]);
    }

    protected static void AssertSame(AccountWorkItem expected, AccountWorkItem actual)
    {
        Assert.Equal(expected.Account, actual.Account);
        Assert.Equal(expected.Connections, actual.Connections);
        Assert.Equal(expected.EnqueuedAt, actual.EnqueuedAt);
        Assert.Equal(expected.StartRotations, actual.StartRotations);
    }
}

public sealed class InMemoryWorkQueueTests : WorkQueueContract
{
    private readonly InMemoryWorkQueue _queue = new();

    protected override Task<IWorkQueue> CreateQueueAsync() => Task.FromResult<IWorkQueue>(_queue);

    protected override Task<IReadOnlyList<AccountWorkItem>> ReadAllAsync() => Task.FromResult(_queue.Items);
}

public sealed class StorageWorkQueueTests : WorkQueueContract
{
    private QueueClient _plain = null!;
    private QueueClient _asFunctionsReadsIt = null!;

    protected override async Task<IWorkQueue> CreateQueueAsync()
    {
        var azurite = await Azurite.GetAsync();
        var name = Azurite.UniqueName("work");
        _plain = azurite.CreateQueueServiceClient().GetQueueClient(name);

        // The Functions queue trigger decodes base64 by default (host.json extensions.queues.messageEncoding).
        _asFunctionsReadsIt = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(name);
        return new StorageWorkQueue(_plain);
    }

    protected override async Task<IReadOnlyList<AccountWorkItem>> ReadAllAsync()
    {
        var messages = (await _asFunctionsReadsIt.ReceiveMessagesAsync(32)).Value;
        return messages.Select(m => JsonSerializer.Deserialize<AccountWorkItem>(m.Body.ToString(), StorageWorkQueue.Json)!).ToArray();
    }

    [Fact]
    public async Task The_message_text_is_base64_of_camel_case_json()
    {
        var item = new AccountWorkItem("1234567", ["conn-x"], new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), StartRotations: true);

        await Queue.EnqueueAsync(item);

        var raw = (await _plain.ReceiveMessageAsync()).Value.Body.ToString();
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(raw));
        Assert.StartsWith("{\"account\":\"1234567\"", json, StringComparison.Ordinal);
        AssertSame(item, StorageWorkQueue.Decode(raw));
    }
}
