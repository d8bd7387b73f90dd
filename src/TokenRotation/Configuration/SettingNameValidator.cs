using System.Reflection;
using Microsoft.Extensions.Options;

namespace TokenRotation.Configuration;

/// <summary>Runs the generated validator and names settings as they are configured: <c>Section:Property</c>.</summary>
internal sealed class SettingNameValidator<TOptions, TValidator>(TValidator inner) : IValidateOptions<TOptions>
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
