using System.Text.RegularExpressions;
using NetSuite.Simulator;

namespace TokenRotation.Cli.Tests;

/// <summary>`nstoken migrate`: the way off TBA, against the simulator and the file-backed store.</summary>
public sealed partial class MigrateTests : IAsyncLifetime
{
    private const string Account = "7654321";
    private const string Email = LocalCli.Email;
    private const string Password = "Migrate-Passw0rd!";

    private LocalCli _cli = null!;
    private SimIntegration _integration = null!;

    private NetSuiteSimulator Simulator => _cli.Simulator;

    public async Task InitializeAsync()
    {
        _cli = await LocalCli.StartAsync("nstoken-migrate-test-");
        // A production account (no suffix) whose user has no role record and no two-factor authentication.
        _cli.SeedAccount(twoFactor: false, account: LocalCli.Operator with { Id = Account, UserPassword = Password }, roleRecord: false);
        _integration = Simulator.State.AddIntegration(Account);
    }

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    private Task<(int ExitCode, string Stdout, string Stderr)> Run(string stdin, params string[] args) => _cli.RunAsync(stdin, args);

    [Fact]
    public async Task Migrate_prepares_the_key_then_creates_the_client_credentials_connection_then_retires_TBA_on_request()
    {
        var token = Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "legacy");
        var imported = await Run($"{_integration.ConsumerSecret}\n{token.TokenSecret}\n{Password}\n\n",
            "import", "tba", "legacy", "--account", Account, "--consumer-key", _integration.ConsumerKey, "--token-id", token.TokenId,
            "--email", Email, "--role", "1000", "--secrets-from-stdin");
        Assert.Equal(0, imported.ExitCode);

        // Retiring before the replacement works is refused, and nothing is revoked.
        var early = await Run("", "migrate", "legacy", "--to", "legacy-m2m", "--retire-tba");
        Assert.Equal(4, early.ExitCode);
        Assert.Single(Simulator.State.ActiveTbaTokens(Account));

        var step1 = await Run("", "migrate", "legacy", "--to", "legacy-m2m");
        Assert.Equal(3, step1.ExitCode);
        Assert.Contains("OAuth 2.0 Client Credentials (M2M) Setup", step1.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", step1.Stdout, StringComparison.Ordinal);
        var pem = await File.ReadAllTextAsync(Regex.Match(step1.Stdout, "Wrote the certificate to (\\S+)").Groups[1].Value);
        Assert.DoesNotContain("PRIVATE KEY", pem, StringComparison.Ordinal);
        var next = NextCommand().Match(step1.Stdout);
        Assert.True(next.Success, step1.Stdout);

        // A person maps the certificate for the TBA token's role and entity; NetSuite shows its id.
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        var mapped = Simulator.State.AddCertificate(Account, _integration.ClientId, Email, 1000, certificate);

        var step2 = await Run("", "migrate", "legacy", "--to", "legacy-m2m", "--key-version", next.Groups["version"].Value,
            "--certificate-expires", next.Groups["expires"].Value, "--certificate-id", mapped.CertificateId);
        Assert.Equal(0, step2.ExitCode);
        Assert.Contains("Authorization: Bearer", step2.Stdout, StringComparison.Ordinal);
        var published = await _cli.GetPublishedAsync("legacy-m2m");
        Assert.NotNull(published);
        Assert.NotNull(await _cli.GetPublishedAsync("legacy"));

        var step3 = await Run("", "migrate", "legacy", "--to", "legacy-m2m", "--retire-tba");
        Assert.Equal(0, step3.ExitCode);
        Assert.Empty(Simulator.State.ActiveTbaTokens(Account));
        Assert.Null(await _cli.GetAsync("legacy"));
        Assert.NotNull(await _cli.GetAsync("legacy-m2m"));
    }

    [GeneratedRegex(@"--key-version (?<version>[0-9a-f]+) --certificate-expires (?<expires>\S+) --certificate-id")]
    private static partial Regex NextCommand();
}
