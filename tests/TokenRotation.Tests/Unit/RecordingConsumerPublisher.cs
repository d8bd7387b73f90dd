using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Unit;

/// <summary>The consumer vault as the last value per connection; every publish is recorded in order.</summary>
internal sealed class RecordingConsumerPublisher(List<SideEffect> effects) : IConsumerPublisher
{
    private readonly Dictionary<string, ConsumerProjection> _published = new(StringComparer.Ordinal);

    public Task PublishAccessTokenAsync(ConnectionName name, string account, string accessToken, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        _published[name.Value] = new ConsumerProjection(accessToken, expiresAt, new Dictionary<string, string>(StringComparer.Ordinal));
        effects.Add(new SideEffect(SideEffect.Publish, $"access token until {expiresAt:u}"));
        return Task.CompletedTask;
    }

    public Task PublishTbaAsync(ConnectionName name, TbaProjection projection, CancellationToken cancellationToken = default)
    {
        _published[name.Value] = new ConsumerProjection(ConsumerProjections.ToJson(projection), null, new Dictionary<string, string>(StringComparer.Ordinal));
        effects.Add(new SideEffect(SideEffect.Publish, projection.TokenId));
        return Task.CompletedTask;
    }

    public Task<ConsumerProjection?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default) =>
        Task.FromResult(_published.GetValueOrDefault(name.Value));

    public Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default) => Task.FromResult(_published.Remove(name.Value));
}
