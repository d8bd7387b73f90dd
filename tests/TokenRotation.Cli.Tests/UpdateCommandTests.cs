using NetSuite.Simulator;
using TokenRotation.Connections;

namespace TokenRotation.Cli.Tests;

/// <summary>
/// <c>nstoken update</c> against the simulator: new rotation credentials without revoking anything, and a new
/// password lets the NLAuth login that NetSuite refused be tried again.
/// </summary>
public sealed class UpdateCommandTests : IAsyncLifetime
{
    private const string Account = LocalCli.Account;
    private const string Email = LocalCli.Email;
    private const string Password = LocalCli.Password;
    private LocalCli _cli = null!;
    private SimIntegration _integration = null!;

    private NetSuiteSimulator Simulator => _cli.Simulator;

    public async Task InitializeAsync()
    {
        _cli = await LocalCli.StartAsync("nstoken-update-test-");
        // No 2FA here, so two logins within one 30-second TOTP window are not a concern of these tests.
        _cli.SeedAccount(twoFactor: false);
        _integration = Simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = [LocalCli.LocalCallback] });
    }

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    private Task<(int ExitCode, string Stdout, string Stderr)> Run(string stdin, params string[] args) => _cli.RunAsync(stdin, args);

    private int IssueTokenLogins() => Simulator.State.AuditTrail.Count(e => e.Endpoint == SimEndpoint.IssueToken);

    private async Task<string> ImportTbaAsync(string name, string password)
    {
        var token = Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "made in the UI");
        var import = await Run(
            $"{_integration.ConsumerSecret}\n{token.TokenSecret}\n{password}\n\n",
            "import", "tba", name, "--account", Account, "--consumer-key", _integration.ConsumerKey, "--token-id", token.TokenId,
            "--email", Email, "--role", "1000", "--secrets-from-stdin");
        Assert.Equal(0, import.ExitCode);
        return token.TokenId;
    }

    [Fact]
    public async Task A_refused_password_is_not_sent_again_until_update_gives_a_new_one_and_nothing_is_revoked()
    {
        var tokenId = await ImportTbaAsync("erp-pw", "expired-Passw0rd");

        var refused = await Run("", "rotate", "erp-pw");
        Assert.Equal(3, refused.ExitCode);
        Assert.Equal(1, IssueTokenLogins());
        var held = await Run("", "rotate", "erp-pw");
        Assert.NotEqual(0, held.ExitCode);
        Assert.Equal(1, IssueTokenLogins());

        var dry = await Run($"{Password}\n", "update", "erp-pw", "--change", "password", "--secrets-from-stdin", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("would update password", dry.Stdout, StringComparison.Ordinal);
        Assert.Equal("expired-Passw0rd", (await _cli.GetAsync("erp-pw"))!.Tba!.User.Password);

        var update = await Run($"{Password}\n", "update", "erp-pw", "--change", "password", "--secrets-from-stdin");
        Assert.Equal(0, update.ExitCode);
        Assert.Contains("updated password; nothing was revoked", update.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, update.Stdout + update.Stderr, StringComparison.Ordinal);
        var stored = (await _cli.GetAsync("erp-pw"))!;
        Assert.Equal(Password, stored.Tba!.User.Password);
        Assert.Equal(tokenId, stored.Credentials.Current!.Id);
        Assert.Contains(Simulator.State.ActiveTbaTokens(Account), t => t.TokenId == tokenId);

        // The login is tried again with the new password, and the rotation goes through.
        var rotate = await Run("", "rotate", "erp-pw");
        Assert.Equal(0, rotate.ExitCode);
        Assert.Equal(2, IssueTokenLogins());
        Assert.Equal(tokenId, (await _cli.GetAsync("erp-pw"))!.Credentials.Previous!.Id);
    }

    [Fact]
    public async Task Update_changes_email_totp_and_consumer_credentials_in_place_and_refuses_bad_or_foreign_fields()
    {
        var tokenId = await ImportTbaAsync("erp-fields", Password);
        var before = (await _cli.GetAsync("erp-fields"))!;

        var badEmail = await Run("", "update", "erp-fields", "--email", "not-an-email");
        var badTotp = await Run("not base32 !\n", "update", "erp-fields", "--change", "totp-secret", "--secrets-from-stdin");
        var clientSecret = await Run("abc\n", "update", "erp-fields", "--change", "client-secret", "--secrets-from-stdin");
        var nothing = await Run("", "update", "erp-fields");
        var asArgument = await Run("", "update", "erp-fields", "--password=hunter2");
        Assert.Equal(2, badEmail.ExitCode);
        Assert.Contains("--email", badEmail.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badTotp.ExitCode);
        Assert.Contains("totp-secret: not valid base32", badTotp.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, clientSecret.ExitCode);
        Assert.Contains("is a TBA connection", clientSecret.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Equal(2, asArgument.ExitCode);
        Assert.Equal(before.Generation, (await _cli.GetAsync("erp-fields"))!.Generation);

        var update = await Run("new-consumer-secret\nJBSWY3DPEHPK3PXQ\n", "update", "erp-fields", "--email", "ops2@example.com", "--consumer-key", "new-consumer-key", "--change", "totp-secret", "--secrets-from-stdin");

        Assert.Equal(0, update.ExitCode);
        var stored = (await _cli.GetAsync("erp-fields"))!;
        Assert.Equal("ops2@example.com", stored.Tba!.User.Email);
        Assert.Equal("JBSWY3DPEHPK3PXQ", stored.Tba.User.TotpSecret);
        Assert.Equal("new-consumer-key", stored.Tba.ConsumerKey);
        Assert.Equal("new-consumer-secret", stored.Tba.ConsumerSecret);
        Assert.Equal(Password, stored.Tba.User.Password);
        Assert.Equal(tokenId, stored.Credentials.Current!.Id);
        Assert.DoesNotContain("new-consumer-secret", update.Stdout + update.Stderr, StringComparison.Ordinal);

        var same = await Run("", "update", "erp-fields", "--email", "ops2@example.com");
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("already holds these values", same.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_with_rotate_now_proves_the_password_at_once_and_a_wrong_one_needs_a_person_on_day_one()
    {
        var good = Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "made in the UI");
        var bad = Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "made in the UI too");

        var proven = await Run(
            $"{_integration.ConsumerSecret}\n{good.TokenSecret}\n{Password}\n\n",
            "import", "tba", "erp-proven", "--account", Account, "--consumer-key", _integration.ConsumerKey, "--token-id", good.TokenId,
            "--email", Email, "--role", "1000", "--secrets-from-stdin", "--rotate-now");
        var unproven = await Run(
            $"{_integration.ConsumerSecret}\n{bad.TokenSecret}\nnot-the-password\n\n",
            "import", "tba", "erp-unproven", "--account", Account, "--consumer-key", _integration.ConsumerKey, "--token-id", bad.TokenId,
            "--email", Email, "--role", "1000", "--secrets-from-stdin", "--rotate-now");

        Assert.Equal(0, proven.ExitCode);
        Assert.Contains("verified and promoted", proven.Stdout, StringComparison.Ordinal);
        var rotated = (await _cli.GetAsync("erp-proven"))!;
        Assert.NotEqual(good.TokenId, rotated.Credentials.Current!.Id);
        Assert.Equal(good.TokenId, rotated.Credentials.Previous!.Id);
        Assert.NotNull(rotated.Credentials.Previous.RetireAfter);

        // The import itself stands (the token works); the wrong password shows now, not in 90 days.
        Assert.Equal(3, unproven.ExitCode);
        var stored = (await _cli.GetAsync("erp-unproven"))!;
        Assert.Equal(bad.TokenId, stored.Credentials.Current!.Id);
        Assert.Equal(ConnectionStatus.NeedsPerson, stored.Status);
    }

    [Fact]
    public async Task A_tba_connection_is_unproven_until_a_rotation_logs_in_in_status_json_and_doctor()
    {
        await ImportTbaAsync("erp-proof", Password);

        var status = await Run("", "status");
        var json = await Run("", "status", "--json");
        var doctor = await Run("", "doctor", "erp-proof");
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"erp-proof [^\n]*7654321_SB1[^\n]*Unproven", status.Stdout);
        Assert.Contains("rotation credentials unproven", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("nstoken rotate erp-proof", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"rotationCredentialsUnproven\": true", json.Stdout, StringComparison.Ordinal);
        Assert.Contains("rotation credentials unproven", doctor.Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await Run("", "rotate", "erp-proof")).ExitCode);

        var after = await Run("", "status");
        var afterJson = await Run("", "status", "--json");
        Assert.DoesNotMatch(@"erp-proof [^\n]*7654321_SB1[^\n]*Unproven", after.Stdout);
        Assert.DoesNotContain("unproven", after.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"rotationCredentialsUnproven\": false", afterJson.Stdout, StringComparison.Ordinal);
        Assert.Contains("credential last worked: 20", (await Run("", "doctor", "erp-proof")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_replaces_an_OAuth2_client_secret_and_refuses_tba_fields_on_it()
    {
        var import = await Run($"{_integration.ClientSecret}\n", "import", "oauth2", "crm-secret", "--account", Account, "--client-id", _integration.ClientId, "--secrets-from-stdin");
        Assert.Equal(0, import.ExitCode);

        var email = await Run("", "update", "crm-secret", "--email", "ops@example.com");
        var update = await Run("rotated-client-secret\n", "update", "crm-secret", "--change", "client-secret", "--secrets-from-stdin");

        Assert.Equal(2, email.ExitCode);
        Assert.Contains("only its client secret can be updated", email.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, update.ExitCode);
        Assert.Equal("rotated-client-secret", (await _cli.GetAsync("crm-secret"))!.OAuth2!.ClientSecret);
    }
}
