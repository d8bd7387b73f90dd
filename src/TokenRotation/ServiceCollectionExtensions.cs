using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Configuration;
using TokenRotation.Consent;
using TokenRotation.Engine;
using TokenRotation.Keys;
using TokenRotation.Kinds;
using TokenRotation.Stores;
using TokenRotation.Telemetry;

namespace TokenRotation;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The one way to compose the token rotation engine. By default it runs on Azure: Key Vault stores and keys, blob
    /// leases, tables and the storage queue. <paramref name="configure"/> chooses otherwise
    /// (<see cref="TokenRotationComposition.UseLocalStores"/>, <see cref="TokenRotationComposition.UseLocalKeys"/>). The
    /// Functions app, the CLI, the demo, the benchmark and the tests all call this, so what the tests build is what runs.
    /// </summary>
    public static IServiceCollection AddTokenRotation(this IServiceCollection services, IConfiguration configuration, Action<TokenRotationComposition>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var composition = new TokenRotationComposition();
        configure?.Invoke(composition);

        services.AddTokenRotationEngine(configuration);
        if (composition.LocalFolder is { } folder)
        {
            services.AddTokenRotationLocalStores(folder);
            services.AddTokenRotationLocalConsentKeys(Path.Combine(folder, "service-keys"));
        }
        else
        {
            services.AddTokenRotationStores(configuration);
        }

        if (composition.LocalKeysFolder is { } keys)
        {
            services.AddTokenRotationLocalKeys(keys);
        }
        else
        {
            services.AddTokenRotationKeyVaultKeys();
        }

        return services;
    }

    /// <summary>The engine without stores: options, NetSuite clients, state machines, telemetry.</summary>
    internal static IServiceCollection AddTokenRotationEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddValidatedSection<TokenRotationOptions, TokenRotationOptionsValidator>(configuration, TokenRotationOptions.SectionName);
        services.AddValidatedSection<RotationOptions, RotationOptionsValidator>(configuration, RotationOptions.SectionName);
        services.AddValidatedSection<NetSuiteOptions, Configuration.NetSuiteOptionsValidator>(configuration, NetSuiteOptions.SectionName);
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.SectionName));

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddLogging();
        services.AddNetSuiteAuth(configureResilience: r => configuration.GetSection("NetSuite:Resilience").Bind(r));
        services.AddOptions<NetSuite.Auth.NetSuiteEndpointOptions>().Configure<IOptions<NetSuiteOptions>>((endpoints, netsuite) =>
        {
            endpoints.SuiteTalkUrlTemplate = netsuite.Value.SuiteTalkUrlTemplate;
            endpoints.RestletsUrlTemplate = netsuite.Value.RestletsUrlTemplate;
            endpoints.AppUrlTemplate = netsuite.Value.AppUrlTemplate;
            endpoints.GenericAuthorizeUrl = netsuite.Value.GenericAuthorizeUrl;
            endpoints.DataCenterUrlsUrl = netsuite.Value.DataCenterUrlsUrl;
        });
        services.TryAddSingleton<NetSuiteClientAssertionBuilder>();

        services.TryAddSingleton<RotationTelemetry>();
        services.AddTokenRotationConsent();
        services.TryAddSingleton<RunEffects>();
        services.TryAddSingleton<CredentialRotationMachine>();
        services.AddCredentialKinds();
        services.TryAddSingleton<TokenSealer>();
        services.TryAddSingleton<ConnectionProcessor>();
        services.TryAddSingleton<ConnectionImport>();
        services.TryAddSingleton<ConnectionLifecycle>();
        services.TryAddSingleton<ConnectionStatusQuery>();
        services.TryAddSingleton<SweepService>();
        services.TryAddSingleton<AccountWorker>();
        return services;
    }

}
