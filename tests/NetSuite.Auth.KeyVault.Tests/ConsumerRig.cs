using System.Security.Cryptography;
using Azure.Security.KeyVault.Secrets;
using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Simulator;
using Testing.Shared;

namespace NetSuite.Auth.KeyVault.Tests;

/// <summary>
/// A consumer as an app composes it (<c>AddHttpClient().AddNetSuiteCredential(...)</c>) against the Key Vault test
/// server (real <see cref="SecretClient"/> over HTTPS) and the NetSuite simulator on loopback, on one fake clock.
/// </summary>
internal sealed class ConsumerRig : IAsyncDisposable
{
    public const string Account = "1234567_SB1";
    public const string Email = "integration@example.com";
    public const string Connection = "erp";
    public const string SecretName = "netsuite-erp";

    private ServiceProvider? _services;

    private ConsumerRig(FakeTimeProvider time, NetSuiteSimulator simulator, KeyVaultTestServer vault, SimIntegration integration)
    {
        Time = time;
        Simulator = simulator;
        Vault = vault;
        Integration = integration;
    }

    public FakeTimeProvider Time { get; }

    public NetSuiteSimulator Simulator { get; }

    public KeyVaultTestServer Vault { get; }

    public SimIntegration Integration { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Consumer-vault reads of the connection's secret, as the vault counted them.</summary>
    public long Reads => Vault.Counters.ForSecret(SecretName).Reads;

    public static async Task<ConsumerRig> StartAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = time });
        var vault = await KeyVaultTestServer.StartAsync();
        simulator.State.AddAccount(Account, concurrencyLimit: 50);
        simulator.State.AddRole(Account, 1000, "Integration Role", twoFactorRequired: false);
        simulator.State.AddUser(Account, Email, "correct horse battery staple", null, 1000);
        var integration = simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = ["https://consumer.example.net/cb"] });
        return new ConsumerRig(time, simulator, vault, integration);
    }

    /// <summary>The consumer's client; the container is built on first use, after any option changes.</summary>
    public HttpClient Client(Action<NetSuiteCredentialOptions>? configure = null)
    {
        if (_services is null)
        {
            var services = new ServiceCollection();
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
            services.AddSingleton<TimeProvider>(Time);
            services.AddHttpClient("netsuite").AddNetSuiteCredential(Vault.VaultUri, Connection, Vault.Credential, o =>
            {
                o.SecretClientOptions = Vault.ConfigureClientOptions(new SecretClientOptions());
                configure?.Invoke(o);
            });
            _services = services.BuildServiceProvider();
        }

        return _services.GetRequiredService<IHttpClientFactory>().CreateClient("netsuite");
    }

    /// <summary>A TBA token the simulator issued, published as the service publishes it (schema 1) or in the first shape.</summary>
    public IssuedTbaToken PublishTba(bool versioned = true, IssuedTbaToken? token = null)
    {
        token ??= Simulator.State.IssueTbaToken(Account, Integration.ConsumerKey, Email, 1000);
        var json = versioned
            ? $$"""{"schemaVersion":1,"account":"{{Account}}","consumerKey":"{{Integration.ConsumerKey}}","consumerSecret":"{{Integration.ConsumerSecret}}","tokenId":"{{token.TokenId}}","tokenSecret":"{{token.TokenSecret}}"}"""
            : $$"""{"account":"{{Account}}","consumerKey":"{{Integration.ConsumerKey}}","consumerSecret":"{{Integration.ConsumerSecret}}","tokenId":"{{token.TokenId}}","tokenSecret":"{{token.TokenSecret}}"}""";
        Vault.State.Seed(SecretName, json, "application/json", Tags("Tba", versioned));
        return token;
    }

    /// <summary>An access token the simulator issued, published with its expiry.</summary>
    public IssuedOAuth2Tokens PublishAccessToken(bool versioned = true)
    {
        var tokens = Simulator.State.IssueOAuth2Tokens(Account, Integration.ClientId, Email, 1000);
        Vault.State.Seed(SecretName, tokens.AccessToken, "text/plain", Tags("AccessToken", versioned), tokens.AccessExpiresAt);
        return tokens;
    }

    public static Dictionary<string, string> Tags(string kind, bool versioned)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["kind"] = kind, ["account"] = Account };
        if (versioned)
        {
            tags["schemaVersion"] = "1";
        }

        return tags;
    }

    public string RecordUrl => Simulator.RecordUrl(Account, "customer/42");

    public string RestletUrl => Simulator.RestletUrl(Account);

    public static string Random() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        await Simulator.DisposeAsync();
        await Vault.DisposeAsync();
    }
}
