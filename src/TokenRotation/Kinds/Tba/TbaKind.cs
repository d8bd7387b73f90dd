using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;

namespace TokenRotation.Kinds.Tba;

/// <summary>
/// Token-based authentication: a TBA token never expires, so nothing is refreshed; it is rotated on policy
/// (<see cref="RotationOptions.TbaRotationInterval"/>) through issuetoken with the rotation user's NLAuth login.
/// </summary>
internal sealed class TbaKind : ICredentialKind
{
    public ConnectionKind Kind => ConnectionKind.Tba;

    public KindSchedule Schedule(ConnectionDocument doc, RotationOptions defaults, DateTimeOffset? accessExpires, DateTimeOffset? now)
    {
        ArgumentNullException.ThrowIfNull(doc);
        if (doc.Credentials.Current is null)
        {
            return KindSchedule.None;
        }

        // Outside a rotation the token has a scheduled check (a tokeninfo call), which the daily sweep runs: a revoked token, a
        // blocked integration or a sandbox refresh shows within a day, not at the next rotation. A connection that already
        // needs a person is not checked: the person's fix is followed by `nstoken refresh` or `nstoken rotate`.
        var checkAt = doc.Rotation is null && doc.Status != ConnectionStatus.NeedsPerson ? Scheduler.NextCheck(doc, defaults) : (DateTimeOffset?)null;
        return new KindSchedule(null, null, doc.Rotation is { } rotation ? Scheduler.RotationNext(doc, rotation) : null, CheckAt: checkAt);
    }

    public DateTimeOffset? RotateAt(ConnectionDocument doc, RotationOptions defaults, RotatedCredential current)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(current);
        return current.IssuedAt + (doc.Policy.TbaRotationInterval ?? defaults.TbaRotationInterval);
    }

    public void AddServices(IServiceCollection services)
    {
        services.TryAddSingleton<ILoginRefusalStore>(sp => (ILoginRefusalStore)sp.GetRequiredService<ITotpStepStore>());
        services.TryAddSingleton<NLAuthLoginGuard>();
        services.TryAddSingleton<TbaIdentityCheck>();
        services.TryAddSingleton<TbaRotationOperations>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialKindHandler, TbaHandler>());
    }
}
