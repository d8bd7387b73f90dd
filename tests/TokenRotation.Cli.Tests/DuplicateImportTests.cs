using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Tests;

/// <summary>One credential, one connection: a TBA token or client-credentials certificate already imported is refused.</summary>
public sealed class DuplicateImportTests : IAsyncLifetime
{
    private const string Account = LocalCli.Account;
    private const string Email = LocalCli.Email;
    private const string Password = LocalCli.Password;

    private LocalCli _cli = null!;
    private SimIntegration _integration = null!;

    public async Task InitializeAsync()
    {
        _cli = await LocalCli.StartAsync("nstoken-duplicate-test-");
        _cli.SeedAccount(twoFactor: false);
        _integration = _cli.Simulator.State.AddIntegration(Account, new IntegrationSpec());
    }

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    private Task<(int ExitCode, string Stdout, string Stderr)> ImportTba(string name, IssuedTbaToken token, string account = Account) =>
        _cli.RunAsync(
            $"{_integration.ConsumerSecret}\n{token.TokenSecret}\n{Password}\n\n",
            "import", "tba", name, "--account", account, "--consumer-key", _integration.ConsumerKey, "--token-id", token.TokenId,
            "--email", Email, "--role", "1000", "--secrets-from-stdin");

    [Fact]
    public async Task The_same_TBA_token_cannot_be_imported_into_a_second_connection()
    {
        var token = _cli.Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "made in the UI");
        Assert.Equal(0, (await ImportTba("erp-first", token)).ExitCode);

        var second = await ImportTba("erp-second", token);
        var sameAccountOtherSpelling = await ImportTba("erp-third", token, account: "7654321-sb1");

        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"--token-id: TBA token {token.TokenId} is already connection erp-first's", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, sameAccountOtherSpelling.ExitCode);
        Assert.Null(await _cli.GetAsync("erp-second"));
        Assert.Null(await _cli.GetAsync("erp-third"));

        // Another token of the same integration and user is fine.
        var other = _cli.Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "second token");
        Assert.Equal(0, (await ImportTba("erp-second", other)).ExitCode);
    }

    [Fact]
    public async Task A_certificate_already_in_a_connection_even_as_its_previous_one_is_found()
    {
        var store = new FileConnectionStore(Path.Combine(_cli.Store, "state-vault"));
        var existing = ClientCredentials("wms-first", "cert-current");
        existing.Credentials.Previous = new RotatedCredential { Id = "cert-old", IssuedAt = DateTimeOffset.UtcNow };
        await store.SaveAsync(existing, TokenRotation.Engine.Scheduler.Index(existing, new TokenRotation.Configuration.RotationOptions()));

        var current = await CredentialConflicts.FindAsync(store, ClientCredentials("wms-second", "cert-current"));
        var previous = await CredentialConflicts.FindAsync(store, ClientCredentials("wms-third", "cert-old"));
        var otherClient = await CredentialConflicts.FindAsync(store, ClientCredentials("wms-fourth", "cert-current", clientId: "another-client"));
        var fresh = await CredentialConflicts.FindAsync(store, ClientCredentials("wms-fifth", "cert-new"));
        var itself = await CredentialConflicts.FindAsync(store, ClientCredentials("wms-first", "cert-current"));

        Assert.Contains("--certificate-id: certificate cert-current of client client-1 is already connection wms-first's", current, StringComparison.Ordinal);
        Assert.Contains("already connection wms-first's", previous, StringComparison.Ordinal);
        Assert.Null(otherClient);
        Assert.Null(fresh);
        Assert.Null(itself);
    }

    private static ConnectionDocument ClientCredentials(string name, string certificateId, string clientId = "client-1") => new()
    {
        Name = name,
        Kind = ConnectionKind.OAuth2ClientCredentials,
        Account = Account,
        ClientCredentials = new ClientCredentialsDefinition
        {
            ClientId = clientId,
            RoleId = "1000",
            EntityId = "42",
            CertificateName = "cert-" + name,
            Algorithm = "ES256",
        },
        Credentials = new CredentialSlots { Current = new RotatedCredential { Id = certificateId, KeyVersion = "v1", IssuedAt = DateTimeOffset.UtcNow } },
    };
}
