using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenRotation.Configuration;
using TokenRotation.Functions;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// Builds the app's services through <see cref="FunctionsComposition"/> (the same call Program.cs makes),
/// with test settings and narrow test seams, and activates function classes the way the worker does.
/// </summary>
public sealed class FunctionsTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public FunctionsTestHost(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? overrides = null)
    {
        var values = new Dictionary<string, string?>(DefaultSettings());
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        Configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTokenRotationFunctions(Configuration);
        services.AddSingleton<TimeProvider>(Time);
        overrides?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public IConfiguration Configuration { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

    public IServiceProvider Services => _services;

    public static Dictionary<string, string?> DefaultSettings() => new()
    {
        ["TokenRotation:PublicBaseUrl"] = "https://func-test.example.net",
        ["KeyVault:StateVaultUri"] = "https://kv-state.example.net/",
        ["KeyVault:ConsumerVaultUri"] = "https://kv-consumer.example.net/",
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
    };

    /// <summary>Creates a function class the way the worker does: constructor injection from the container.</summary>
    public T Activate<T>() => ActivatorUtilities.CreateInstance<T>(_services);

    /// <summary>Runs the start-up validation that the host runs (ValidateOnStart).</summary>
    public void ValidateOptions() => _services.GetRequiredService<IStartupValidator>().Validate();

    public HttpRequest NewRequest(string method, string pathAndQuery)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        var uri = new Uri(new Uri("https://func-test.example.net"), pathAndQuery);
        context.Request.Method = method;
        context.Request.Scheme = uri.Scheme;
        context.Request.Host = new HostString(uri.Authority);
        context.Request.Path = uri.AbsolutePath;
        context.Request.QueryString = new QueryString(uri.Query);
        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
