using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>At most one entry per connection; a new entry replaces the old one.</summary>
public interface ITokenJournal
{
    Task WriteAsync(TokenJournalEntry entry, CancellationToken cancellationToken = default);

    Task<TokenJournalEntry?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default);

    /// <summary>Removes the connection's entry; no error when there is none.</summary>
    Task DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default);
}
