using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Connections;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Kinds.ClientCredentials;
using TokenRotation.Kinds.Tba;

namespace TokenRotation.Kinds;

/// <summary>The credential kinds the engine knows. Adding a kind is a new folder under Kinds/ and one line here.</summary>
public static class CredentialKinds
{
    public static IReadOnlyList<ICredentialKind> All { get; } =
    [
        new AuthorizationCodeKind(),
        new ClientCredentialsKind(),
        new TbaKind(),
    ];

    /// <summary>The kind's scheduling facts and registration; null for a kind this engine does not know.</summary>
    public static ICredentialKind? Find(ConnectionKind kind) => All.FirstOrDefault(k => k.Kind == kind);

    internal static IServiceCollection AddCredentialKinds(this IServiceCollection services)
    {
        foreach (var kind in All)
        {
            kind.AddServices(services);
        }

        services.AddSingleton<CredentialKindHandlers>();
        return services;
    }
}
