using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Registry;
using TokenRotation.Engine;
using TokenRotation.Stores;

namespace TokenRotation.Consent;

internal static class ConsentServiceCollectionExtensions
{
    /// <summary>
    /// Consent links, verifier encryption and the consent flow. The service keys live in the state vault when its
    /// <see cref="SecretClient"/> is registered (<see cref="StoresServiceCollectionExtensions.StateVaultKey"/>), and in
    /// memory otherwise (see <see cref="AddTokenRotationLocalConsentKeys"/> for a folder). Only adds what is missing.
    /// </summary>
    internal static IServiceCollection AddTokenRotationConsent(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IServiceKeyStore>(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            if (sp.GetKeyedService<SecretClient>(StoresServiceCollectionExtensions.StateVaultKey) is not { } stateVault)
            {
                return new LocalServiceKeyStore(folder: null, time);
            }

            ResiliencePipeline? writes = null;
            if (sp.GetService<ResiliencePipelineProvider<string>>() is { } pipelines && pipelines.TryGetPipeline(KeyVaultWritePipelines.State, out var pipeline))
            {
                writes = pipeline;
            }

            return new KeyVaultServiceKeyStore(stateVault, writes, time, cacheLifetime: null, sp.GetService<ILogger<KeyVaultServiceKeyStore>>());
        });
        services.TryAddSingleton<ConsentLinkFactory>();
        services.TryAddSingleton<IConsentLinkFactory>(sp => sp.GetRequiredService<ConsentLinkFactory>());
        services.TryAddSingleton<VerifierProtector>();
        services.TryAddSingleton<ConsentService>();
        return services;
    }

    /// <summary>Keeps the service keys in <paramref name="folder"/> instead (running without Azure, e.g. the CLI demo).</summary>
    internal static IServiceCollection AddTokenRotationLocalConsentKeys(this IServiceCollection services, string folder)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        services.Replace(ServiceDescriptor.Singleton<IServiceKeyStore>(sp => new LocalServiceKeyStore(folder, sp.GetRequiredService<TimeProvider>())));
        return services;
    }
}
