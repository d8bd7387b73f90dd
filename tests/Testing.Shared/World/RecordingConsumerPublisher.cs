using TokenRotation.Connections;
using TokenRotation.Stores;

namespace Testing.Shared;

/// <summary>Records every consumer-vault write of the engine.</summary>
internal sealed class RecordingConsumerPublisher(IConsumerPublisher inner, SideEffects effects) : IConsumerPublisher
{
    public async Task PublishAccessTokenAsync(ConnectionName name, string account, string accessToken, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        await inner.PublishAccessTokenAsync(name, account, accessToken, expiresAt, cancellationToken);
        effects.Happened($"consumer access token {name}");
    }

    public async Task PublishTbaAsync(ConnectionName name, TbaProjection projection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(projection);
        await inner.PublishTbaAsync(name, projection, cancellationToken);
        effects.Happened($"consumer TBA set {name} token {projection.TokenId}");
    }

    public Task<ConsumerProjection?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

    public async Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteAsync(name, cancellationToken);
        effects.Happened($"consumer delete {name}");
        return deleted;
    }
}
