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

        services.AddOptions<TokenRotationOptions>()
            .Bind(configuration.GetSection(TokenRotationOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenRotationOptions>, TokenRotationOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
