using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TokenRotation.Configuration;

internal static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its section and validates it at start-up with the source-generated
    /// <typeparamref name="TValidator"/>, whose messages are rewritten to name the setting as configured
    /// (<c>TokenRotation:AccountConcurrency</c>) rather than the class (<c>TokenRotationOptions.AccountConcurrency</c>).
    /// </summary>
    public static IServiceCollection AddValidatedSection<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // Binding the same section twice (engine and stores both ask for some) sets the same values twice: harmless.
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.TryAddSingleton<TValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, SettingNameValidator<TOptions, TValidator>>());
        return services;
    }
}
