using System.Runtime.CompilerServices;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// The state vault as a dictionary of JSON values (copies, so a working document is never the stored one). It keeps no
/// intent markers, like the CLI's local store: an intent is a fenced document write here. Every write is recorded in
/// <see cref="MachineWorld.Effects"/>; <see cref="FailSaves"/> makes the next writes throw.
/// </summary>
internal sealed class InMemoryConnectionStore(List<SideEffect> effects) : IConnectionStore
{
    private readonly Dictionary<string, (string Json, ConnectionIndex Index)> _secrets = new(StringComparer.Ordinal);

    /// <summary>Each write, while non-null, asks this for an exception to throw instead of writing.</summary>
    public Func<ConnectionDocument, Exception?>? FailSaves { get; set; }

    /// <summary>A write that lands and then kills the run (before whatever was to follow it), while this says so.</summary>
    public Func<ConnectionDocument, bool>? CrashAfterWrite { get; set; }

    public int Writes { get; private set; }

    public async IAsyncEnumerable<ConnectionIndex> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var (_, index) in _secrets.Values.ToArray())
        {
            yield return index;
        }
    }

    public Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        if (!_secrets.TryGetValue(name.Value, out var stored))
        {
            return Task.FromResult<ConnectionDocument?>(null);
        }

        var document = ConnectionDocument.FromJson(stored.Json, "conn-" + name.Value);
        document.StoredIndex = stored.Index;
        return Task.FromResult<ConnectionDocument?>(document);
    }

    public Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        if (FailSaves?.Invoke(document) is { } failure)
        {
            throw failure;
        }

        var json = document.ToJson();
        _secrets[index.Name.Value] = (json, index);
        Writes++;
        effects.Add(new SideEffect(SideEffect.StateWrite, $"generation {document.Generation}", ConnectionDocument.FromJson(json, "copy")));
        if (CrashAfterWrite?.Invoke(document) == true)
        {
            CrashAfterWrite = null;
            throw new SimulatedCrash("a state write");
        }

        return Task.CompletedTask;
    }

    public Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        if (_secrets.TryGetValue(index.Name.Value, out var stored))
        {
            _secrets[index.Name.Value] = (stored.Json, index);
        }

        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default) =>
        Task.FromResult(_secrets.Remove(name.Value));

    public Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default) => Task.FromResult(false);

    public Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Puts a document in as if imported (generation 0), without recording a write.</summary>
    public void Seed(ConnectionDocument document, ConnectionIndex index) => _secrets[document.Name] = (document.ToJson(), index);
}
