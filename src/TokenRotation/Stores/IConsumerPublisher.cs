using TokenRotation.Connections;

namespace TokenRotation.Stores;

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
