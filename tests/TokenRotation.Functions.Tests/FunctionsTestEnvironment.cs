using Azure.Data.Tables;
using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Simulator;
using Testing.Shared;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Stores;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// The Functions tests' view of the test world (<see cref="TestWorld"/>): the app as Program.cs composes it
/// (<see cref="FunctionsComposition"/>, through <see cref="FunctionsTestHost"/>), against the NetSuite simulator, two
/// Key Vault test servers (state and consumer) and Azurite (blob leases, consent-session, TOTP and poison tables, work
/// queue), with names unique to this environment. Optionally a small HTTPS host (<see cref="FunctionsWebHost"/>)
/// routes to the function classes, so a browser or an HttpClient can go through NetSuite's redirects.
/// </summary>
public sealed class FunctionsTestEnvironment : IAsyncDisposable
{
    public const string Account = "1234567_SB1";
    public const string UserEmail = "integration@example.com";
    public const string UserPassword = "correct horse battery staple";
    public const string TotpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    public const int IntegrationRole = 1000;
    public const int AdministratorRole = 3;

    private FunctionsTestEnvironment(TestWorld world, FunctionsTestHost host, FunctionsWebHost? web)
    {
        World = world;
        Host = host;
        Web = web;
    }

    /// <summary>The world under this environment.</summary>
    public TestWorld World { get; }

    public FakeTimeProvider Time => World.Time;

    public NetSuiteSimulator Simulator => World.Simulator;

    public KeyVaultTestServer StateVault => World.StateVault;

    public KeyVaultTestServer ConsumerVault => World.ConsumerVault;

    public Azurite Azurite => World.Azurite;

    public FunctionsTestHost Host { get; }

    /// <summary>The HTTPS host routing to the function classes; null unless started with one.</summary>
    public FunctionsWebHost? Web { get; }

    public string PublicBaseUrl => World.PublicBaseUrl;

    public string CallbackUrl => PublicBaseUrl + "/api/" + Http.ConsentFunctions.CallbackRoute;

    public WorldStorageNames StorageNames => World.StorageNames;

    public IServiceProvider Services => Host.Services;

    public IConnectionStore Store => Services.GetRequiredService<IConnectionStore>();

    public IConsumerPublisher Consumers => Services.GetRequiredService<IConsumerPublisher>();

    public TableClient ConsentTable => World.ConsentTable;

    public static async Task<FunctionsTestEnvironment> StartAsync(bool withWebHost = false, Action<IServiceCollection>? overrides = null)
    {
        FunctionsWebHost? web = null;
        if (withWebHost)
        {
            web = await FunctionsWebHost.StartAsync();
        }

        var world = await TestWorld.Create()
            .WithPublicBaseUrl(web?.BaseUrl ?? TestWorld.DefaultPublicBaseUrl)
            .WithCoordination(WorldCoordination.Azurite)
            .WithSettings(s =>
            {
                s["TokenRotation:ServiceName"] = "nstoken-test";
                s["NetSuite:Resilience:BaseDelay"] = "00:00:00";
                s["NetSuite:Resilience:MaxDelay"] = "00:00:00";
                s["NetSuite:Resilience:MaxRetryAfter"] = "00:00:00";
                s["NetSuite:Resilience:MaxRetryAttempts"] = "2";
                s["Engine:MaxInlineWait"] = "00:00:00";
            })
            .ComposeWith((services, configuration) => services.AddTokenRotationFunctions(configuration))
            .ValidateOnBuild()
            .Override(overrides)
            .StartAsync();
        var host = new FunctionsTestHost(world);
        web?.Attach(host);
        return new FunctionsTestEnvironment(world, host, web);
    }

    /// <summary>A valid table name unique to this environment (letters and digits only).</summary>
    public static string TableName(string prefix) => WorldStorageNames.TableName(prefix);

    /// <summary>Seeds the simulator's sandbox account (integration and administrator roles, one user with both) and an integration.</summary>
    public SimIntegration SeedAccount(bool publicClient = false) =>
        World.SeedAccount(spec: new IntegrationSpec { RedirectUris = [CallbackUrl], PublicClient = publicClient }, administratorRole: true, consentUser: true);

    /// <summary>An OAuth 2.0 connection imported but never consented (NeedsPerson), optionally pinned to a role.</summary>
    public async Task<ConnectionDocument> ImportOAuth2Async(string name, SimIntegration integration, string? expectedRole = null)
    {
        var document = WorldDocuments.OAuth2Import(name, World.Account, integration, CallbackUrl, expectedRole);
        var outcome = await Services.GetRequiredService<ConnectionImport>().ImportAsync(document, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        return (await GetAsync(name))!;
    }

    /// <summary>A TBA connection around a token the simulator issued, saved straight into the store.</summary>
    public async Task<ConnectionDocument> SaveTbaAsync(string name, SimIntegration integration)
    {
        var document = World.TbaConnection(name, integration, pinRole: true);
        await World.SaveNewAsync(document);
        return document;
    }

    /// <summary>An OAuth 2.0 connection whose consent already happened (tokens issued by the simulator), saved straight into the store.</summary>
    public async Task<ConnectionDocument> SaveConsentedOAuth2Async(string name, SimIntegration integration)
    {
        var document = World.ConsentedOAuth2Connection(name, integration, redirectUri: CallbackUrl);
        await World.SaveNewAsync(document);
        return document;
    }

    public Task<ConnectionDocument?> GetAsync(string name) => Store.GetAsync(ConnectionName.Parse(name));

    public Task<ConsumerProjection?> GetProjectionAsync(string name) => Consumers.GetAsync(ConnectionName.Parse(name));

    /// <summary>How many consent sessions the table holds.</summary>
    public async Task<int> ConsentSessionCountAsync()
    {
        await ConsentTable.CreateIfNotExistsAsync();
        var count = 0;
        await foreach (var _ in ConsentTable.QueryAsync<TableEntity>($"PartitionKey eq '{TableConsentSessionStore.PartitionKey}'", select: ["PartitionKey"]))
        {
            count++;
        }

        return count;
    }

    public static string NewName(string prefix = "conn") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 100)];

    public async ValueTask DisposeAsync()
    {
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        await Host.DisposeAsync();
        await World.DisposeAsync();
    }
}
