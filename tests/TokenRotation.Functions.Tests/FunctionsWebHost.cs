using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using TokenRotation.Functions.Http;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// A small ASP.NET Core host on HTTPS (127.0.0.1, port 0, a certificate made at start) that routes the app's HTTP
/// routes to the function classes, activated from the app's composition as the worker does. It stands in for the
/// Functions host's HTTP front so a browser or an HttpClient can follow NetSuite's redirects to our callback; it does
/// not check function keys (only the real host does).
/// </summary>
public sealed class FunctionsWebHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private FunctionsTestHost? _host;

    private FunctionsWebHost(WebApplication app, X509Certificate2 certificate, string baseUrl)
    {
        _app = app;
        Certificate = certificate;
        BaseUrl = baseUrl;
    }

    /// <summary>https://127.0.0.1:port, no trailing slash.</summary>
    public string BaseUrl { get; }

    public X509Certificate2 Certificate { get; }

    public static async Task<FunctionsWebHost> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        FunctionsWebHost? self = null;

        // ASP0016 misreads the inner lambdas (function calls whose result RunAsync executes) as request delegates.
#pragma warning disable ASP0016
        app.MapGet("/api/consent/{token}", (HttpContext http, string token) =>
            self!.RunAsync<ConsentFunctions>(http, f => f.StartConsent(http.Request, token, http.RequestAborted)));
        app.MapGet("/api/oauth/callback", (HttpContext http) =>
            self!.RunAsync<ConsentFunctions>(http, f => f.OAuthCallback(http.Request, http.RequestAborted)));
        app.MapGet("/api/connections", (HttpContext http) =>
            self!.RunAsync<ConnectionFunctions>(http, f => f.ListConnections(http.Request, http.RequestAborted)));
        app.MapGet("/api/status", (HttpContext http) =>
            self!.RunAsync<ConnectionFunctions>(http, f => f.StatusPage(http.Request, http.RequestAborted)));
        app.MapPost("/api/connections/{name}/rotate", (HttpContext http, string name) =>
            self!.RunAsync<ConnectionFunctions>(http, f => f.RotateConnection(http.Request, name, http.RequestAborted)));
#pragma warning restore ASP0016

        await app.StartAsync();
        var address = app.Urls.Single();
        var port = new Uri(address).Port;
        self = new FunctionsWebHost(app, certificate, $"https://127.0.0.1:{port}");
        return self;
    }

    /// <summary>Routes to the app built after this host started (its public base URL needs this host's port).</summary>
    public void Attach(FunctionsTestHost host) => _host = host;

    /// <summary>An HttpClient that trusts exactly this host's certificate and does not follow redirects.</summary>
    public HttpClient CreateClient(CookieContainer? cookies = null)
    {
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new CookieContainer(),
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.Thumbprint == Certificate.Thumbprint,
        };
        return new HttpClient(handler) { BaseAddress = new Uri(BaseUrl) };
    }

    private async Task RunAsync<TFunction>(HttpContext http, Func<TFunction, Task<IActionResult>> invoke)
    {
        var host = _host ?? throw new InvalidOperationException("No app is attached to the web host yet.");
        http.RequestServices = host.Services;
        var result = await invoke(host.Activate<TFunction>());
        await result.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), password: null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}
