using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVault.TestServer;

/// <summary>
/// An HTTPS server on 127.0.0.1 that speaks enough of the Azure Key Vault REST API (secrets, certificate create/get,
/// key sign) for the real <see cref="SecretClient"/> and <see cref="CertificateClient"/>. One server is one vault.
/// </summary>
public sealed class KeyVaultTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly X509Certificate2 _tlsCertificate;
    private readonly byte[] _tlsCertificateRaw;
    private readonly HttpClient _sdkHttpClient;
    private readonly ConcurrentQueue<KeyVaultRequestRecord> _requests;
    private int _disposed;

    private KeyVaultTestServer(WebApplication app, X509Certificate2 tlsCertificate, Uri vaultUri, KeyVaultTestServerOptions options,
        KeyVaultState state, KeyVaultCounters counters, KeyVaultFaults faults, KeyVaultThrottle throttle,
        ConcurrentQueue<KeyVaultRequestRecord> requests)
    {
        _app = app;
        _tlsCertificate = tlsCertificate;
        _tlsCertificateRaw = tlsCertificate.RawData;
        VaultUri = vaultUri;
        Options = options;
        State = state;
        Counters = counters;
        Faults = faults;
        Throttle = throttle;
        _requests = requests;
        ServerCertificate = X509CertificateLoader.LoadCertificate(_tlsCertificateRaw);
        _sdkHttpClient = new HttpClient(CreateHttpMessageHandler(), disposeHandler: true);
    }

    /// <summary>The vault URI, e.g. <c>https://127.0.0.1:54321/</c>.</summary>
    public Uri VaultUri { get; }

    /// <summary>The options the server was started with.</summary>
    public KeyVaultTestServerOptions Options { get; }

    /// <summary>The server's clock (the one in the options).</summary>
    public TimeProvider TimeProvider => Options.TimeProvider;

    /// <summary>The TLS certificate made at start (public part only).</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The TLS certificate in PEM, for a client in another process.</summary>
    public string ServerCertificatePem => PemEncoding.WriteString("CERTIFICATE", _tlsCertificateRaw);

    /// <summary>The fake credential the clients made here use; the server accepts any bearer token.</summary>
    public KeyVaultTestCredential Credential { get; } = new();

    /// <summary>Vault contents: seed and inspect without requests.</summary>
    public KeyVaultState State { get; }

    /// <summary>Request counters.</summary>
    public KeyVaultCounters Counters { get; }

    /// <summary>Fault and latency injection.</summary>
    public KeyVaultFaults Faults { get; }

    /// <summary>Both throttle budgets and the <see cref="KeyVaultThrottle.Throttled"/> hook.</summary>
    public KeyVaultThrottle Throttle { get; }

    /// <summary>Every request seen (when <see cref="KeyVaultTestServerOptions.RecordRequests"/> is on), oldest first.</summary>
    public IReadOnlyList<KeyVaultRequestRecord> Requests => _requests.ToArray();

    /// <summary>Starts a server on 127.0.0.1 with a TLS certificate made now.</summary>
    public static async Task<KeyVaultTestServer> StartAsync(KeyVaultTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KeyVaultTestServerOptions();
        var tls = CertificateFactory.CreateTlsCertificate();
        var state = new KeyVaultState(options);
        var counters = new KeyVaultCounters();
        var faults = new KeyVaultFaults();
        var throttle = new KeyVaultThrottle(options);
        var requests = new ConcurrentQueue<KeyVaultRequestRecord>();
        var handler = new KeyVaultHandler(options, state, counters, faults, throttle, requests);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(tls)));
        var app = builder.Build();
        app.Run(handler.HandleAsync);

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            tls.Dispose();
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel did not report the address it listens on.");
        var address = new Uri(addresses.First());
        var vaultUri = new Uri($"https://127.0.0.1:{address.Port}/");
        handler.VaultBase = $"https://127.0.0.1:{address.Port}";
        return new KeyVaultTestServer(app, tls, vaultUri, options, state, counters, faults, throttle, requests);
    }

    /// <summary>A real <see cref="SecretClient"/> for this vault (trusting only this server's certificate, fake credential).</summary>
    public SecretClient CreateSecretClient(SecretClientOptions? options = null) =>
        new(VaultUri, Credential, ConfigureClientOptions(options ?? new SecretClientOptions()));

    /// <summary>A real <see cref="CertificateClient"/> for this vault.</summary>
    public CertificateClient CreateCertificateClient(CertificateClientOptions? options = null) =>
        new(VaultUri, Credential, ConfigureClientOptions(options ?? new CertificateClientOptions()));

    /// <summary>
    /// Points options at this server: transport trusting only its certificate, challenge resource verification off
    /// (the vault host is 127.0.0.1), and with <paramref name="fastRetry"/> a 10 ms base retry delay so that the
    /// server's short <c>retry-after-ms</c> governs retries. Use it in a DI override of the app's own client options.
    /// </summary>
    public SecretClientOptions ConfigureClientOptions(SecretClientOptions options, bool fastRetry = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.DisableChallengeResourceVerification = true;
        return ConfigureTransport(options, fastRetry);
    }

    /// <inheritdoc cref="ConfigureClientOptions(SecretClientOptions, bool)"/>
    public CertificateClientOptions ConfigureClientOptions(CertificateClientOptions options, bool fastRetry = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.DisableChallengeResourceVerification = true;
        return ConfigureTransport(options, fastRetry);
    }

    /// <summary>
    /// Sets only the transport (and fast retries) on any Azure.Core client options, e.g. for a small
    /// <c>HttpPipelineBuilder</c> pipeline that calls <c>/keys/{name}/{version}/sign</c>.
    /// </summary>
    public TOptions ConfigureTransport<TOptions>(TOptions options, bool fastRetry = true)
        where TOptions : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Transport = new HttpClientTransport(_sdkHttpClient);
        if (fastRetry)
        {
            options.Retry.Delay = TimeSpan.FromMilliseconds(10);
            options.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        }

        return options;
    }

    /// <summary>A new handler that trusts only this server's TLS certificate. The caller disposes it.</summary>
    public HttpMessageHandler CreateHttpMessageHandler()
    {
        var expected = _tlsCertificateRaw;
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(expected),
            },
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
    }

    /// <summary>
    /// A raw <see cref="HttpClient"/> for protocol-level checks, based at <see cref="VaultUri"/>. With
    /// <paramref name="authenticated"/> it sends a bearer token, so the challenge is skipped. The caller disposes it.
    /// </summary>
    public HttpClient CreateHttpClient(bool authenticated = true)
    {
        var client = new HttpClient(CreateHttpMessageHandler(), disposeHandler: true) { BaseAddress = VaultUri };
        if (authenticated)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "kv-test-raw-client");
        }

        return client;
    }

    /// <summary>Stops the server and releases its certificates and keys.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
            _sdkHttpClient.Dispose();
            _tlsCertificate.Dispose();
            ServerCertificate.Dispose();
            lock (State.Gate)
            {
                foreach (var certificate in State.Certificates.Values)
                {
                    certificate.Versions.ForEach(v => v.Dispose());
                }
            }
        }
    }
}
