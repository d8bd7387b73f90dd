using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Testing.Shared;
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
    private readonly bool _ownsServices = true;

    public FunctionsTestHost(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? overrides = null, FakeTimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var values = new Dictionary<string, string?>(DefaultSettings());
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        Configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddTokenRotationFunctions(Configuration);
        services.AddSingleton<TimeProvider>(Time);
        overrides?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>The app a test world composed (<see cref="FunctionsTestEnvironment"/>); the world owns its services.</summary>
    public FunctionsTestHost(TestWorld world)
    {
        ArgumentNullException.ThrowIfNull(world);
        Time = world.Time;
        Configuration = world.Configuration;
        Logs = world.Logs;
        _services = (ServiceProvider)world.Services;
        _ownsServices = false;
    }

    public IConfiguration Configuration { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Every log line of the app's services, to search for secrets.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

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

    /// <summary>Runs an HTTP function's result against its request, as the worker's proxy does, and returns the response.</summary>
    public static async Task<TestResponse> ExecuteAsync(IActionResult result, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(request);
        await result.ExecuteResultAsync(new ActionContext(request.HttpContext, new RouteData(), new ActionDescriptor()));
        var response = request.HttpContext.Response;
        response.Body.Position = 0;
        var body = await new StreamReader(response.Body).ReadToEndAsync();
        return new TestResponse(response.StatusCode, response.ContentType, body, response.Headers);
    }

    public ValueTask DisposeAsync() => _ownsServices ? _services.DisposeAsync() : ValueTask.CompletedTask;
}

/// <summary>A response as a function's result wrote it.</summary>
public sealed record TestResponse(int StatusCode, string? ContentType, string Body, IHeaderDictionary Headers)
{
    public IReadOnlyList<string> SetCookies => Headers.SetCookie.Select(c => c ?? "").ToArray();
}
