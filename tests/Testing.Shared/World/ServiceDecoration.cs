using Microsoft.Extensions.DependencyInjection;

namespace Testing.Shared;

/// <summary>Wraps what the composition registered for a service in a decorator (the recorders, the soak's crash seam).</summary>
public static class ServiceDecoration
{
    /// <summary>Replaces the last non-keyed registration of <typeparamref name="T"/> with <paramref name="decorate"/> around it, as a singleton.</summary>
    public static void Decorate<T>(this IServiceCollection services, Func<IServiceProvider, T, T> decorate)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(decorate);
        var existing = services.Last(d => d.ServiceType == typeof(T) && !d.IsKeyedService);
        services.Remove(existing);
        services.AddSingleton(sp =>
        {
            var inner = existing.ImplementationInstance as T
                ?? (existing.ImplementationFactory is { } factory ? (T)factory(sp) : (T)ActivatorUtilities.CreateInstance(sp, existing.ImplementationType!));
            return decorate(sp, inner);
        });
    }
}
