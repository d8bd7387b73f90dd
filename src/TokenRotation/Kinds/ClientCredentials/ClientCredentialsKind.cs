using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Kinds.ClientCredentials;

/// <summary>
/// OAuth 2.0 client credentials (M2M): an access token is minted ahead of the current one's end with an assertion the
/// current certificate's key signs, and the certificate is rotated ahead of its own end.
/// </summary>
internal sealed class ClientCredentialsKind : ICredentialKind
{
    public ConnectionKind Kind => ConnectionKind.OAuth2ClientCredentials;

    public KindSchedule Schedule(ConnectionDocument doc, RotationOptions defaults, DateTimeOffset? accessExpires, DateTimeOffset? now)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var current = doc.Credentials.Current;
        if (current is null)
        {
            return new KindSchedule(accessExpires, null, null);
        }

        DateTimeOffset? next = accessExpires is { } a ? a - Scheduler.AccessLead(doc, defaults) : DateTimeOffset.MinValue;
        if (doc.Status == ConnectionStatus.NeedsPerson && doc.Rotation is null)
        {
            // NetSuite refused the assertion (mapping wiped, certificate revoked): try again only on a slow backoff,
            // so a fix in NetSuite is picked up without a NetSuite call and a state write on every sweep.
            // A refused rotation schedules no retry: the current certificate still works, so minting goes on.
            next = doc.LastError?.RetryAt ?? next;
        }
        else if (doc.Status == ConnectionStatus.NeedsPerson && doc.LastError is { RetryAt: { } retry } error && error.Message.StartsWith("mint:", StringComparison.Ordinal))
        {
            // The same for a refused mint while a rotation is in progress (its grace, say): the expired access token's
            // time would make every sweep mint again; the rotation's own next step still counts below.
            next = retry;
        }

        if (doc.Rotation is { } rotation)
        {
            next = Scheduler.Min(next, Scheduler.RotationNext(doc, rotation));
        }

        return new KindSchedule(accessExpires, current.ExpiresAt, next);
    }

    public DateTimeOffset? RotateAt(ConnectionDocument doc, RotationOptions defaults, RotatedCredential current)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(current);
        return current.ExpiresAt is { } expires ? expires - (doc.Policy.CertificateRenewBefore ?? defaults.CertificateRenewBefore) : null;
    }

    public void AddServices(IServiceCollection services)
    {
        services.TryAddSingleton<ClientCredentialsMachine>();
        services.TryAddSingleton<CertificateRotationOperations>();
        services.TryAddSingleton<ClientCredentialsSetup>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialKindHandler, ClientCredentialsHandler>());
    }
}
