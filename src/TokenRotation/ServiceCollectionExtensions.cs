using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenRotation.Configuration;

namespace TokenRotation;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Composes the token rotation engine. The Functions app, the CLI and the tests all call this,
    /// so what the tests build is what runs.
    /// </summary>
    public static IServiceCollection AddTokenRotation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        AddValidatedOptions<TokenRotationOptions, TokenRotationOptionsValidator>(services, configuration, TokenRotationOptions.SectionName);
        AddValidatedOptions<KeyVaultOptions, KeyVaultOptionsValidator>(services, configuration, KeyVaultOptions.SectionName);
        AddValidatedOptions<StorageOptions, StorageOptionsValidator>(services, configuration, StorageOptions.SectionName);
        AddValidatedOptions<RotationOptions, RotationOptionsValidator>(services, configuration, RotationOptions.SectionName);
        AddValidatedOptions<NetSuiteOptions, NetSuiteOptionsValidator>(services, configuration, NetSuiteOptions.SectionName);

        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    private static void AddValidatedOptions<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }
}
