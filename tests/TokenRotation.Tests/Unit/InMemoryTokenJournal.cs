using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Unit;

/// <summary>The token journal as a dictionary.</summary>
internal sealed class InMemoryTokenJournal : ITokenJournal
{
    private readonly Dictionary<string, TokenJournalEntry> _entries = new(StringComparer.Ordinal);

    public IReadOnlyCollection<TokenJournalEntry> Entries => _entries.Values;

    public Task WriteAsync(TokenJournalEntry entry, CancellationToken cancellationToken = default)
    {
        _entries[entry.Connection] = entry;
        return Task.CompletedTask;
    }

    public Task<TokenJournalEntry?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default) =>
        Task.FromResult(_entries.GetValueOrDefault(name.Value));

    public Task DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        _entries.Remove(name.Value);
        return Task.CompletedTask;
    }
}
