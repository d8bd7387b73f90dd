using Azure.Data.Tables;
using Azure.Security.KeyVault.Secrets;
using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Simulator;
using Testing.Shared;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Stores;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// The app as Program.cs composes it (<see cref="FunctionsTestHost"/>), against the NetSuite simulator, two Key Vault
/// test servers (state and consumer) and Azurite (blob leases, consent-session, TOTP and poison tables, work queue),
/// with names unique to this environment. Optionally a small HTTPS host (<see cref="FunctionsWebHost"/>) routes to the
/// function classes, so a browser or an HttpClient can go through NetSuite's redirects.
/// </summary>
public sealed class FunctionsTestEnvironment : IAsyncDisposable
{
    public const string Account = "1234567_SB1";
    public const string UserEmail = "integration@example.com";
    public const string UserPassword = "correct horse battery staple";
    public const string TotpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    public const int IntegrationRole = 1000;
    public const int AdministratorRole = 3;

    private FunctionsTestEnvironment(
        FakeTimeProvider time, NetSuiteSimulator simulator, KeyVaultTestServer stateVault, KeyVaultTestServer consumerVault,
        Azurite azurite, FunctionsTestHost host, FunctionsWebHost? web, string publicBaseUrl, Names names)
    {
        Time = time;
        Simulator = simulator;
        StateVault = stateVault;
        ConsumerVault = consumerVault;
        Azurite = azurite;
        Host = host;
        Web = web;
        PublicBaseUrl = publicBaseUrl;
        StorageNames = names;
    }

    public FakeTimeProvider Time { get; }

    public NetSuiteSimulator Simulator { get; }

    public KeyVaultTestServer StateVault { get; }

    public KeyVaultTestServer ConsumerVault { get; }

    public Azurite Azurite { get; }

    public FunctionsTestHost Host { get; }

    /// <summary>The HTTPS host routing to the function classes; null unless started with one.</summary>
    public FunctionsWebHost? Web { get; }

    public string PublicBaseUrl { get; }

    public string CallbackUrl => PublicBaseUrl + "/api/" + Http.ConsentFunctions.CallbackRoute;

    public Names StorageNames { get; }

    public IServiceProvider Services => Host.Services;

    public IConnectionStore Store => Services.GetRequiredService<IConnectionStore>();

    public IConsumerPublisher Consumers => Services.GetRequiredService<IConsumerPublisher>();

    public TableClient ConsentTable => Azurite.CreateTableServiceClient().GetTableClient(StorageNames.ConsentTable);

    public sealed record Names(string LeaseContainer, string WorkQueue, string ConsentTable, string TotpTable, string PoisonTable);

    public static async Task<FunctionsTestEnvironment> StartAsync(bool withWebHost = false, Action<IServiceCollection>? overrides = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        FunctionsWebHost? web = null;
        if (withWebHost)
        {
            web = await FunctionsWebHost.StartAsync();
        }

        var publicBaseUrl = web?.BaseUrl ?? "https://func-test.example.net";
        var simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = time });
        var stateVault = await KeyVaultTestServer.StartAsync();
        var consumerVault = await KeyVaultTestServer.StartAsync();
        var azurite = await Azurite.GetAsync();
        var names = new Names(
            Azurite.UniqueName("leases"),
            Azurite.UniqueName("work"),
            TableName("consent"),
            TableName("totp"),
            TableName("poison"));

        var settings = new Dictionary<string, string?>
        {
            ["TokenRotation:PublicBaseUrl"] = publicBaseUrl,
            ["TokenRotation:ServiceName"] = "nstoken-test",
            ["KeyVault:StateVaultUri"] = stateVault.VaultUri.ToString(),
            ["KeyVault:ConsumerVaultUri"] = consumerVault.VaultUri.ToString(),
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:LeaseContainer"] = names.LeaseContainer,
            [StorageOptions.WorkQueueSetting] = names.WorkQueue,
            ["Coordination:ConsentTable"] = names.ConsentTable,
            ["Coordination:TotpTable"] = names.TotpTable,
            ["NetSuite:SuiteTalkUrlTemplate"] = simulator.SuiteTalkTemplate,
            ["NetSuite:RestletsUrlTemplate"] = simulator.RestletsTemplate,
            ["NetSuite:AppUrlTemplate"] = simulator.AppTemplate,
            ["NetSuite:GenericAuthorizeUrl"] = simulator.GenericAuthorizeUrl,
            ["NetSuite:DataCenterUrlsUrl"] = simulator.DataCenterUrlsUrl,
            ["NetSuite:Resilience:BaseDelay"] = "00:00:00",
            ["NetSuite:Resilience:MaxDelay"] = "00:00:00",
            ["NetSuite:Resilience:MaxRetryAfter"] = "00:00:00",
            ["NetSuite:Resilience:MaxRetryAttempts"] = "2",
            ["Engine:MaxInlineWait"] = "00:00:00",
        };

        var host = new FunctionsTestHost(settings, services =>
        {
            services.AddKeyedSingleton<SecretClient>(StoresServiceCollectionExtensions.StateVaultKey, (_, _) => stateVault.CreateSecretClient());
            services.AddKeyedSingleton<SecretClient>(StoresServiceCollectionExtensions.ConsumerVaultKey, (_, _) => consumerVault.CreateSecretClient());
            services.Replace(ServiceDescriptor.Singleton<IPoisonedWorkLog>(sp =>
                new TablePoisonedWorkLog(sp.GetRequiredService<TableServiceClient>().GetTableClient(names.PoisonTable))));
            overrides?.Invoke(services);
        }, time);
        web?.Attach(host);
        return new FunctionsTestEnvironment(time, simulator, stateVault, consumerVault, azurite, host, web, publicBaseUrl, names);
    }

    /// <summary>A valid table name unique to this environment (letters and digits only).</summary>
    public static string TableName(string prefix) => (prefix + Guid.NewGuid().ToString("N"))[..Math.Min(prefix.Length + 32, 63)];

    /// <summary>Seeds the simulator's sandbox account (integration and administrator roles, one user with both) and an integration.</summary>
    public SimIntegration SeedAccount(bool publicClient = false)
    {
        if (!Simulator.State.TryGetAccount(Account, out _))
        {
            Simulator.State.AddAccount(Account, concurrencyLimit: 5);
            Simulator.State.AddRole(Account, IntegrationRole, "Integration Role", twoFactorRequired: true);
            Simulator.State.AddRole(Account, AdministratorRole, "Administrator", twoFactorRequired: true);
            Simulator.State.AddUser(Account, UserEmail, UserPassword, TotpSecret, IntegrationRole, AdministratorRole);
            Simulator.State.SetConsentUser(Account, UserEmail, IntegrationRole);
        }

        return Simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = [CallbackUrl], PublicClient = publicClient });
    }

    /// <summary>An OAuth 2.0 connection imported but never consented (NeedsPerson), optionally pinned to a role.</summary>
    public async Task<ConnectionDocument> ImportOAuth2Async(string name, SimIntegration integration, string? expectedRole = null)
    {
        var document = new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = Account,
            OAuth2 = new OAuth2Definition
            {
                ClientId = integration.ClientId,
                ClientSecret = integration.PublicClient ? null : integration.ClientSecret,
                IsPublicClient = integration.PublicClient,
                RedirectUri = CallbackUrl,
                ExpectedRoleId = expectedRole,
            },
        };
        var outcome = await Services.GetRequiredService<ConnectionImport>().ImportAsync(document, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        return (await GetAsync(name))!;
    }

    /// <summary>A TBA connection around a token the simulator issued, saved straight into the store.</summary>
    public async Task<ConnectionDocument> SaveTbaAsync(string name, SimIntegration integration)
    {
        var token = Simulator.State.IssueTbaToken(Account, integration.ConsumerKey, UserEmail, IntegrationRole, name: "made in the UI");
        var document = new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.Tba,
            Account = Account,
            Tba = new TbaDefinition
            {
                ConsumerKey = integration.ConsumerKey,
                ConsumerSecret = integration.ConsumerSecret,
                User = new RotationUser { Email = UserEmail, Password = UserPassword, TotpSecret = TotpSecret, RoleId = IntegrationRole.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ExpectedRoleId = IntegrationRole.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            Credentials = new CredentialSlots { Current = new RotatedCredential { Id = token.TokenId, Secret = token.TokenSecret, Name = token.Name, IssuedAt = Time.GetUtcNow() } },
            Generation = 1,
        };
        await Store.SaveAsync(document, Scheduler.Index(document, new RotationOptions()));
        return document;
    }

    /// <summary>An OAuth 2.0 connection whose consent already happened (tokens issued by the simulator), saved straight into the store.</summary>
    public async Task<ConnectionDocument> SaveConsentedOAuth2Async(string name, SimIntegration integration)
    {
        var tokens = Simulator.State.IssueOAuth2Tokens(Account, integration.ClientId, UserEmail, IntegrationRole);
        var facts = NetSuite.Auth.OAuth2.NetSuiteTokenFacts.Read(tokens.RefreshToken);
        var document = new ConnectionDocument
        {
            Name = name,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = Account,
            OAuth2 = new OAuth2Definition
            {
                ClientId = integration.ClientId,
                ClientSecret = integration.ClientSecret,
                RedirectUri = CallbackUrl,
                RefreshToken = tokens.RefreshToken,
                RefreshTokenExpiresAt = facts.ExpiresAt,
                RefreshTokenIssuedAt = facts.IssuedAt,
                ConsentedAt = Time.GetUtcNow(),
                ExpectedRoleId = IntegrationRole.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ExpectedEntityId = facts.EntityId,
            },
            Generation = 1,
        };
        await Store.SaveAsync(document, Scheduler.Index(document, new RotationOptions()));
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
        await Simulator.DisposeAsync();
        await StateVault.DisposeAsync();
        await ConsumerVault.DisposeAsync();
    }
}
