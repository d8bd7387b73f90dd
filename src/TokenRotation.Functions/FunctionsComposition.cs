using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TokenRotation.Functions;

/// <summary>
/// The Functions app's composition root. Program.cs calls it on the host builder; the tests call it on
/// their own service collection, so what the tests resolve is what the host runs.
/// </summary>
public static class FunctionsComposition
{
    public static IServiceCollection AddTokenRotationFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTokenRotation(configuration);
        return services;
    }
}
