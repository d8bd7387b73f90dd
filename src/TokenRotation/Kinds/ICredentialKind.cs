using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Configuration;
using TokenRotation.Connections;

namespace TokenRotation.Kinds;

/// <summary>
/// What the engine knows about a credential kind without any service: its scheduling facts, which the pure
/// <see cref="Engine.Scheduler"/> asks for, and how to register its handler. One per kind folder, listed in
/// <see cref="CredentialKinds.All"/>.
/// </summary>
internal interface ICredentialKind
{
    ConnectionKind Kind { get; }

    /// <summary>
    /// The kind's part of the index: the credential's and the refresh token's expiries, the next time a run is due
    /// (before retries and rotation attempts, which <see cref="Engine.Scheduler"/> adds), and whether a NeedsPerson
    /// warning that lives only in the index is on.
    /// </summary>
    KindSchedule Schedule(ConnectionDocument doc, RotationOptions defaults, DateTimeOffset? accessExpires, DateTimeOffset? now);

    /// <summary>When the daily sweep should start a new rotation of <paramref name="current"/>; null when the kind never rotates.</summary>
    DateTimeOffset? RotateAt(ConnectionDocument doc, RotationOptions defaults, RotatedCredential current);

    /// <summary>Registers the kind's handler and the parts it is built from.</summary>
    void AddServices(IServiceCollection services);
}
