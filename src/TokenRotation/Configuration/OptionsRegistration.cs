using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TokenRotation.Configuration;

public static class OptionsRegistration
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

/// <summary>Runs the generated validator and names settings as they are configured: <c>Section:Property</c>.</summary>
public sealed class SettingNameValidator<TOptions, TValidator>(TValidator inner) : IValidateOptions<TOptions>
    where TOptions : class
    where TValidator : class, IValidateOptions<TOptions>
{
    private static readonly string Section =
        typeof(TOptions).GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string ?? typeof(TOptions).Name;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = inner.Validate(name, options);
        if (!result.Failed)
        {
            return result;
        }

        var prefix = typeof(TOptions).Name + ".";
        return ValidateOptionsResult.Fail(result.Failures!.Select(f => f.Replace(prefix, Section + ":", StringComparison.Ordinal)));
    }
}
