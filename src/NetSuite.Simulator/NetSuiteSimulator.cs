using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetSuite.Simulator.Http;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator;

/// <summary>
/// A stateful stand-in for NetSuite's authentication endpoints on Kestrel (127.0.0.1). Every account shares
/// the one port: the account is the first path segment (host-label form), then <c>suitetalk</c>,
/// <c>restlets</c> or <c>app</c>, then NetSuite's own path.
/// <code>
/// await using var sim = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = clock });
/// sim.State.AddAccount("1234567_SB1", concurrencyLimit: 5);
/// var tokenUrl = sim.SuiteTalkTemplate.Replace("{account}", "1234567-sb1") + "/services/rest/auth/oauth2/v1/token";
/// </code>
/// </summary>
public sealed class NetSuiteSimulator : IAsyncDisposable
{
    private static readonly Lazy<RSA> SharedSigningKey = new(() => RSA.Create(2048), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly WebApplication _app;
    private int _disposed;

    private NetSuiteSimulator(WebApplication app, SimulatorApp core, string baseUrl, SimulatorOptions options)
    {
        _app = app;
        Core = core;
        BaseUrl = baseUrl;
        TimeProvider = options.TimeProvider;
    }

    internal SimulatorApp Core { get; }

    /// <summary><c>http://127.0.0.1:PORT</c> (no trailing slash).</summary>
    public string BaseUrl { get; }

    public Uri BaseUri => new(BaseUrl + "/");

    public int Port => new Uri(BaseUrl).Port;

    /// <summary><c>http://127.0.0.1:PORT/{account}/suitetalk</c> (REST web services, OAuth 2.0 token/revoke).</summary>
    public string SuiteTalkTemplate => BaseUrl + "/{account}/suitetalk";

    /// <summary><c>http://127.0.0.1:PORT/{account}/restlets</c> (RESTlets, issuetoken/revoketoken/tokeninfo, certificates).</summary>
    public string RestletsTemplate => BaseUrl + "/{account}/restlets";

    /// <summary><c>http://127.0.0.1:PORT/{account}/app</c> (the UI: consent page).</summary>
    public string AppTemplate => BaseUrl + "/{account}/app";

    /// <summary><c>http://127.0.0.1:PORT/system/app/login/oauth2/authorize.nl</c>: the generic authorize page (account not known yet).</summary>
    public string GenericAuthorizeUrl => BaseUrl + SimulatorApp.GenericAuthorizePath;

    /// <summary><c>http://127.0.0.1:PORT/rest/datacenterurls</c>: the data-center discovery (query <c>account=</c>).</summary>
    public string DataCenterUrlsUrl => BaseUrl + "/rest/datacenterurls";

    public SimulatorState State => Core.State;

    public FaultInjector Faults => Core.Faults;

    /// <summary>The same object as <see cref="SimulatorState.Modes"/>; change it at any time.</summary>
    public SimulatorModes Modes => Core.State.Modes;

    public TimeProvider TimeProvider { get; }

    /// <summary>SuiteTalk base URL of an account (either id form).</summary>
    public string SuiteTalkUrl(string accountId) => SuiteTalkTemplate.Replace("{account}", AccountIds.ToHostLabel(accountId), StringComparison.Ordinal);

    public string RestletsUrl(string accountId) => RestletsTemplate.Replace("{account}", AccountIds.ToHostLabel(accountId), StringComparison.Ordinal);

    public string AppUrl(string accountId) => AppTemplate.Replace("{account}", AccountIds.ToHostLabel(accountId), StringComparison.Ordinal);

    public string TokenUrl(string accountId) => SuiteTalkUrl(accountId) + "/services/rest/auth/oauth2/v1/token";

    public string RevokeUrl(string accountId) => SuiteTalkUrl(accountId) + "/services/rest/auth/oauth2/v1/revoke";

    public string AuthorizeUrl(string accountId) => AppUrl(accountId) + "/app/login/oauth2/authorize.nl";

    public string RestletUrl(string accountId, string script = "1", string deploy = "1") =>
        $"{RestletsUrl(accountId)}/app/site/hosting/restlet.nl?script={Uri.EscapeDataString(script)}&deploy={Uri.EscapeDataString(deploy)}";

    public string RecordUrl(string accountId, string recordPath = "employee/1") =>
        $"{SuiteTalkUrl(accountId)}/services/rest/record/v1/{recordPath}";

    public string CertificatesUrl(string accountId, string clientId) =>
        $"{RestletsUrl(accountId)}/services/rest/auth/oauth2/v1/clients/{Uri.EscapeDataString(clientId)}/certificates";

    /// <summary>Starts Kestrel on 127.0.0.1 (port 0 unless <see cref="SimulatorOptions.Port"/> says otherwise).</summary>
    public static async Task<NetSuiteSimulator> StartAsync(SimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatorOptions();
        var state = new SimulatorState(
            options.TimeProvider,
            options.Modes.Clone(),
            options.SigningKey ?? SharedSigningKey.Value,
            options.SigningKeyId,
            options.AuditTrailCapacity);
        var core = new SimulatorApp(state, new FaultInjector(), options);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(NetSuiteSimulator).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });
        if (options.EnableLogging)
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Information);
        }

        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.UseConsoleLifetime ? 5 : 1));
        if (!options.UseConsoleLifetime)
        {
            builder.Services.AddSingleton<IHostLifetime, InProcessLifetime>();
        }

        var app = builder.Build();
        app.Run(core.HandleAsync);
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel did not report its address.");
        var baseUrl = address.TrimEnd('/');
        core.BaseUrl = baseUrl;
        var simulator = new NetSuiteSimulator(app, core, baseUrl, options);
        if (options.SeedSampleAccount)
        {
            SampleSeed.Apply(simulator.State);
        }

        return simulator;
    }

    /// <summary>Waits until the host stops (Ctrl+C for the program).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>No Ctrl+C handling when hosted inside a test process.</summary>
    private sealed class InProcessLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
