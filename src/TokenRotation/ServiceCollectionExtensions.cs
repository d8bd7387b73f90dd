using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NetSuite.Auth;
using NetSuite.Auth.Certificates;
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
    /// Composes the token rotation engine on Azure: Key Vault stores, blob leases, tables and queue. The Functions
    /// app and the CLI call this, and the tests call it with their test seams, so what the tests build is what runs.
    /// </summary>
    public static IServiceCollection AddTokenRotation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTokenRotationEngine(configuration);
        services.AddTokenRotationStores(configuration);
        services.AddTokenRotationKeyVaultKeys();
        return services;
    }

    /// <summary>The engine without stores: options, NetSuite clients, state machines, telemetry.</summary>
    public static IServiceCollection AddTokenRotationEngine(this IServiceCollection services, IConfiguration configuration)
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
        services.TryAddSingleton<IAssertionSignerFactory, UnavailableAssertionSigners>();
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
