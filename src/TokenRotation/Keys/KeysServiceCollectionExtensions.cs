using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenRotation.Configuration;
using TokenRotation.Engine;

namespace TokenRotation.Keys;

public static class KeysServiceCollectionExtensions
{
    /// <summary>
    /// Client-credentials keys in the state vault: Key Vault certificates whose keys sign remotely (key custody:
    /// the private key never leaves Key Vault; the app needs Key Vault Crypto User and Certificates Officer there).
    /// </summary>
    public static IServiceCollection AddTokenRotationKeyVaultKeys(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new CertificateClient(
            new Uri(sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value.StateVaultUri), sp.GetRequiredService<TokenCredential>()));
        services.TryAddSingleton(sp => new KeyVaultSignClient(
            new Uri(sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value.StateVaultUri), sp.GetRequiredService<TokenCredential>()));
        services.TryAddSingleton<ICertificateKeyStore, KeyVaultCertificateKeyStore>();
        AddCommon(services);
        return services;
    }

    /// <summary>Local PEM keys in <c>{folder}/keys</c>, for the demo.</summary>
    public static IServiceCollection AddTokenRotationLocalKeys(this IServiceCollection services, string folder)
    {
        services.Replace(ServiceDescriptor.Singleton<ICertificateKeyStore>(sp => new FileCertificateKeyStore(Path.Combine(folder, "keys"), sp.GetRequiredService<TimeProvider>())));
        AddCommon(services);
        return services;
    }

    private static void AddCommon(IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IAssertionSignerFactory, CertificateAssertionSigners>());
    }
}
