using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Commands;

/// <summary>
/// The redirect URI a loopback consent uses instead of the connection's own, set once the server knows its port.
/// </summary>
internal sealed class LoopbackRedirect(ConnectionName connection)
{
    public ConnectionName Connection { get; } = connection;

    public string? Uri { get; set; }
}

/// <summary>
/// The connection store as the loopback consent sees it: the connection's redirect URI reads as the loopback one (so
/// the authorize request and the code exchange both send it, as NetSuite requires), and is written back as it was,
/// so the deployed callback keeps working for the next consent.
/// </summary>
internal sealed class LoopbackRedirectStore(IConnectionStore inner, LoopbackRedirect redirect) : IConnectionStore
{
    private string? _original;

    public IAsyncEnumerable<ConnectionIndex> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

    public async Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default)
    {
        var document = await inner.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (document?.OAuth2 is { } oauth && redirect.Uri is { } loopback && name.Equals(redirect.Connection) && oauth.RedirectUri != loopback)
        {
            _original = oauth.RedirectUri;
            oauth.RedirectUri = loopback;
        }

        return document;
    }

    public async Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.OAuth2 is not { } oauth || _original is not { } original || oauth.RedirectUri != redirect.Uri || document.Name != redirect.Connection.Value)
        {
            await inner.SaveAsync(document, index, cancellationToken).ConfigureAwait(false);
            return;
        }

        oauth.RedirectUri = original;
        try
        {
            await inner.SaveAsync(document, index, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            oauth.RedirectUri = redirect.Uri!;
        }
    }

    public Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default) => inner.UpdateIndexAsync(index, cancellationToken);

    public Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);

    public Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.IsDeletedAsync(name, cancellationToken);

    public Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.RecoverAsync(name, cancellationToken);
}

/// <summary>
/// A one-person HTTPS server on 127.0.0.1 for <c>nstoken consent</c>: the consent start (<c>/api/consent/{token}</c>)
/// and NetSuite's callback (<c>/api/oauth/callback</c>), the same <see cref="ConsentService"/> as the Functions app.
/// NetSuite accepts only https redirect URIs, so it serves TLS with a self-signed certificate made for this run.
/// </summary>
internal sealed class LoopbackConsentServer : IAsyncDisposable
{
    public const string CallbackPath = "/api/oauth/callback";

    private readonly WebApplication _app;
    private readonly TaskCompletionSource<ConsentResult> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LoopbackConsentServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary><c>https://127.0.0.1:PORT</c>.</summary>
    public string BaseUrl { get; }

    public string RedirectUri => BaseUrl + CallbackPath;

    /// <summary>Completes with the first callback that connected the connection.</summary>
    public Task<ConsentResult> Connected => _connected.Task;

    /// <summary>Every callback outcome that did not connect (for the terminal): a person may try again.</summary>
    public event Action<ConsentResult>? NotConnected;

    /// <summary>
    /// Starts listening on <paramref name="port"/> (0: any free port). The consent service is resolved per request
    /// from <paramref name="consent"/>, so the server can start before the engine's services know the redirect URI.
    /// </summary>
    public static async Task<LoopbackConsentServer> StartAsync(int port, Func<ConsentService> consent, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "nstoken-consent" });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseKestrelHttpsConfiguration();
        var certificate = CreateCertificate();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate));
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        LoopbackConsentServer? server = null;
        app.Run(http => server!.HandleAsync(http, consent()));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The loopback server did not report its address.");
        server = new LoopbackConsentServer(app, address.TrimEnd('/'));
        return server;
    }

    private async Task HandleAsync(HttpContext http, ConsentService consent)
    {
        var path = http.Request.Path.Value ?? "";
        var ct = http.RequestAborted;
        if (!HttpMethods.IsGet(http.Request.Method))
        {
            await PageAsync(http, 405, "Not here", "This loopback server answers only the consent link and NetSuite's callback.", "").ConfigureAwait(false);
            return;
        }

        if (path.StartsWith(ConsentLinkFactory.PathPrefix, StringComparison.Ordinal))
        {
            var start = await consent.StartAsync(path[ConsentLinkFactory.PathPrefix.Length..], ct).ConfigureAwait(false);
            if (start is not { Status: ConsentStartStatus.Redirect, AuthorizeUrl: { } authorize, CookieName: { } name, CookieValue: { } value })
            {
                await PageAsync(http, start.StatusCode, start.Title, start.Message, start.NextStep).ConfigureAwait(false);
                return;
            }

            http.Response.Cookies.Append(name, value, BindingCookie(ConsentService.SessionLifetime));
            http.Response.Redirect(authorize.AbsoluteUri);
            return;
        }

        if (path == CallbackPath)
        {
            var query = http.Request.Query;
            string[] names = ["state", "code", "error", "company", "role", "entity"];
            var cookies = http.Request.Cookies;
            var callback = new ConsentCallback
            {
                State = Single("state"),
                Code = Single("code"),
                Error = Single("error"),
                Company = Single("company"),
                Role = Single("role"),
                Entity = Single("entity"),
                HasRepeatedParameters = names.Any(n => query[n].Count > 1),
                ReadCookie = n => cookies.TryGetValue(n, out var v) ? v : null,
            };
            var result = await consent.CompleteAsync(callback, ct).ConfigureAwait(false);
            if (callback.State is { Length: > 0 and <= 1024 } state && cookies.ContainsKey(ConsentService.CookieName(state)))
            {
                http.Response.Cookies.Delete(ConsentService.CookieName(state), BindingCookie(null));
            }

            await PageAsync(http, result.StatusCode, result.Title, result.Message, result.NextStep).ConfigureAwait(false);
            if (result.Kind == ConsentOutcomeKind.Connected)
            {
                _connected.TrySetResult(result);
            }
            else
            {
                NotConnected?.Invoke(result);
            }

            string? Single(string n) => query[n] is { Count: 1 } values ? values[0] : null;
            return;
        }

        await PageAsync(http, 404, "Not here", "This loopback server answers only the consent link and NetSuite's callback.", "").ConfigureAwait(false);
    }

    private static CookieOptions BindingCookie(TimeSpan? maxAge) => new()
    {
        Secure = true,
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Path = ConsentService.CookiePath,
        MaxAge = maxAge,
        IsEssential = true,
    };

    private static Task PageAsync(HttpContext http, int status, string title, string message, string next)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Content-Security-Policy"] = "default-src 'none'";
        var enc = System.Text.Encodings.Web.HtmlEncoder.Default;
        return http.Response.WriteAsync(
            $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{enc.Encode(title)}</title></head>\n<body><main><h1>{enc.Encode(title)}</h1>\n<p id=\"message\">{enc.Encode(message)}</p>\n<p id=\"next\">{enc.Encode(next)}</p></main></body></html>\n",
            http.RequestAborted);
    }

    /// <summary>A certificate for 127.0.0.1 and localhost, valid for a day, made for this run only (the browser warns once).</summary>
    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=nstoken loopback consent", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Through PKCS#12 so the key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), password: null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
