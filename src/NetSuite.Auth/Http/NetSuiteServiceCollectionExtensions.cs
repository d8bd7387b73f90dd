using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NetSuite.Auth.Tba;

namespace NetSuite.Auth;

/// <summary>Registers the NetSuite auth clients.</summary>
public static class NetSuiteServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="NetSuiteEndpoints"/>, the typed clients (TBA, data-center discovery, OAuth 2.0 token,
    /// certificates), each with the per-account resilience pipeline of
    /// <see cref="NetSuiteHttpClientBuilderExtensions.AddNetSuiteResilience"/>, <see cref="TimeProvider.System"/>
    /// unless a <see cref="TimeProvider"/> is already registered, and <see cref="NetSuiteOptionsValidator"/> (options
    /// are validated when first read; hosts add <c>ValidateOnStart</c> to fail at start-up).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureEndpoints">Optional endpoint configuration (simulator, discovered domains, tests).</param>
    /// <param name="configureResilience">Optional resilience configuration (tests shrink delays here).</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddNetSuiteAuth(
        this IServiceCollection services,
        Action<NetSuiteEndpointOptions>? configureEndpoints = null,
        Action<NetSuiteResilienceOptions>? configureResilience = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var endpoints = services.AddOptions<NetSuiteEndpointOptions>();
        if (configureEndpoints is not null)
        {
            endpoints.Configure(configureEndpoints);
        }

        var resilience = services.AddOptions<NetSuiteResilienceOptions>();
        if (configureResilience is not null)
        {
            resilience.Configure(configureResilience);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NetSuiteEndpointOptions>, NetSuiteOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NetSuiteResilienceOptions>, NetSuiteOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NetSuiteEndpoints>();

        services.AddHttpClient<NetSuiteTbaClient>().AddNetSuiteResilience();
        services.AddHttpClient<NetSuiteDataCenterClient>().AddNetSuiteResilience();

        // ---- OAuth 2.0 and certificates clients (owned by the OAuth 2.0 part) ----
        services.AddHttpClient<OAuth2.NetSuiteTokenClient>().AddNetSuiteResilience();
        services.AddHttpClient<Certificates.NetSuiteCertificatesClient>().AddNetSuiteResilience();
        services.TryAddSingleton<OAuth2.Jwt.NetSuiteClientAssertionBuilder>();
        return services;
    }
}
