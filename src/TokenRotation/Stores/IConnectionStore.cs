using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// The state vault (architecture section 3): one secret per connection, <c>conn-{name}</c>, holding its
/// <see cref="ConnectionDocument"/> as JSON, with its <see cref="ConnectionIndex"/> as tags. Primitive
/// operations only; fencing (generation checks) is the engine's job (<see cref="Engine.ConnectionSession"/>).
/// </summary>
public interface IConnectionStore
{
    /// <summary>Lists the index of every connection from secret properties, never reading a value.</summary>
    IAsyncEnumerable<ConnectionIndex> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads a connection's document; null when it does not exist (or is deleted).</summary>
    Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version of the document with its index as tags (one secret write).</summary>
    Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default);

    /// <summary>Replaces the tags only; creates no version.</summary>
    Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default);

    /// <summary>Deletes the connection (soft delete where the store has it). Returns false when it did not exist.</summary>
    Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default);

    /// <summary>True when the name is deleted but recoverable (purge protection keeps it blocked).</summary>
    Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default);

    /// <summary>Recovers a soft-deleted connection.</summary>
    Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default);
}

/// <summary>
/// The consumer vault: projections of the current credential that the systems calling NetSuite read.
/// Secret name <c>netsuite-{name}</c>.
/// </summary>
public interface IConsumerPublisher
{
    /// <summary>Publishes an OAuth 2.0 access token with its expiry (Key Vault <c>ExpiresOn</c>).</summary>
    Task PublishAccessTokenAsync(ConnectionName name, string account, string accessToken, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Publishes the TBA set (consumer key and secret, token id and secret) as one JSON secret.</summary>
    Task PublishTbaAsync(ConnectionName name, TbaProjection projection, CancellationToken cancellationToken = default);

    /// <summary>Reads what consumers currently see; null when nothing is published.</summary>
    Task<ConsumerProjection?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default);

    Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default);
}

/// <summary>What a consumer reads for a TBA connection.</summary>
public sealed record TbaProjection(string Account, string ConsumerKey, string ConsumerSecret, string TokenId, string TokenSecret)
{
    public override string ToString() => $"TBA set for {Account} (token {TokenId})";
}

/// <summary>A consumer secret as read back: its value and expiry.</summary>
public sealed record ConsumerProjection(string Value, DateTimeOffset? ExpiresOn, IReadOnlyDictionary<string, string> Tags)
{
    public override string ToString() => $"consumer projection (expires {ExpiresOn:O})";
}

public static class SecretNames
{
    public const string ConnectionPrefix = "conn-";
    public const string ConsumerPrefix = "netsuite-";
    public const string CertificatePrefix = "cert-";
    public const string ServiceKeyPrefix = "key-";

    public static string State(ConnectionName name) => ConnectionPrefix + name.Value;

    public static string Consumer(ConnectionName name) => ConsumerPrefix + name.Value;

    public static string Certificate(ConnectionName name) => CertificatePrefix + name.Value;

    /// <summary>The connection a state-vault secret name belongs to; null for the service's own secrets.</summary>
    public static ConnectionName? FromStateSecret(string secretName) =>
        secretName.StartsWith(ConnectionPrefix, StringComparison.OrdinalIgnoreCase)
        && ConnectionName.TryParse(secretName[ConnectionPrefix.Length..], out var name)
            ? name
            : null;
}
