using NetSuite.Simulator;
using TokenRotation.Connections;

namespace TokenRotation.Cli.Tests;

/// <summary>The operator commands against the NetSuite simulator and the file-backed store (--local).</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private const string Account = LocalCli.Account;
    private const string Email = LocalCli.Email;
    private const string Password = LocalCli.Password;
    private const string TotpSecret = LocalCli.TotpSecret;

    private LocalCli _cli = null!;
    private SimIntegration _integration = null!;

    private NetSuiteSimulator Simulator => _cli.Simulator;

    public async Task InitializeAsync()
    {
        _cli = await LocalCli.StartAsync("nstoken-cli-test-");
        _cli.SeedAccount(consentUser: true);
        _integration = Simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = [LocalCli.LocalCallback] });
    }

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    private Task<(int ExitCode, string Stdout, string Stderr)> Run(string stdin, params string[] args) => _cli.RunAsync(stdin, args);

    private async Task<(int ExitCode, string Stdout, string Stderr)> ImportTba(string name)
    {
        var token = Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "made in the UI");
        return await Run(
            $"{_integration.ConsumerSecret}\n{token.TokenSecret}\n{Password}\n{TotpSecret}\n",
            "import", "tba", name, "--account", Account, "--consumer-key", _integration.ConsumerKey, "--token-id", token.TokenId,
            "--email", Email, "--role", "1000", "--secrets-from-stdin");
    }

    private Task<ConnectionDocument?> ReadAsync(string name) => _cli.GetAsync(name);

    [Fact]
    public async Task Tba_lifecycle_import_refresh_rotate_rollback_pause_delete_recover_with_exit_codes()
    {
        var import = await ImportTba("erp");
        Assert.Equal(0, import.ExitCode);
        Assert.Contains("verified token", import.Stdout, StringComparison.Ordinal);
        var original = (await ReadAsync("erp"))!.Credentials.Current!.Id;

        var refresh = await Run("", "refresh", "erp");
        Assert.Equal(0, refresh.ExitCode);
        Assert.Contains("works (tokeninfo", refresh.Stdout, StringComparison.Ordinal);

        var dry = await Run("", "rotate", "erp", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("would rotate the TBA token", dry.Stdout, StringComparison.Ordinal);
        Assert.Single(Simulator.State.ActiveTbaTokens(Account));

        var rotate = await Run("", "rotate", "erp");
        Assert.Equal(0, rotate.ExitCode);
        Assert.Contains("verified and promoted", rotate.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, Simulator.State.ActiveTbaTokens(Account).Count);
        var rotated = (await ReadAsync("erp"))!;
        Assert.Equal(original, rotated.Credentials.Previous!.Id);

        var again = await Run("", "rotate", "erp");
        Assert.Equal(4, again.ExitCode);
        Assert.Contains("grace period", again.Stderr, StringComparison.Ordinal);

        var rollback = await Run("", "rollback", "erp");
        Assert.Equal(0, rollback.ExitCode);
        Assert.Equal(original, (await ReadAsync("erp"))!.Credentials.Current!.Id);

        Assert.Equal(0, (await Run("", "pause", "erp")).ExitCode);
        var paused = await Run("", "refresh", "erp");
        Assert.Equal(4, paused.ExitCode);
        Assert.Contains("paused", paused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await Run("", "resume", "erp")).ExitCode);

        var dryDelete = await Run("", "delete", "erp", "--dry-run");
        Assert.Equal(0, dryDelete.ExitCode);
        Assert.Contains("would revoke TBA token", dryDelete.Stdout, StringComparison.Ordinal);
        Assert.NotNull(await ReadAsync("erp"));

        var delete = await Run("", "delete", "erp");
        Assert.Equal(0, delete.ExitCode);
        Assert.Null(await ReadAsync("erp"));
        Assert.Empty(Simulator.State.ActiveTbaTokens(Account));

        var reimport = await ImportTba("erp");
        Assert.Equal(2, reimport.ExitCode);
        Assert.Contains("nstoken recover erp", reimport.Stdout + reimport.Stderr, StringComparison.Ordinal);

        var recover = await Run("", "recover", "erp");
        Assert.Equal(0, recover.ExitCode);
        Assert.NotNull(await ReadAsync("erp"));
        Assert.Contains("recovered the consumer secret", recover.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_lists_connections_and_exits_3_when_one_needs_a_person()
    {
        Assert.Equal(0, (await ImportTba("erp-status")).ExitCode);
        var healthy = await Run("", "status");
        Assert.Equal(0, healthy.ExitCode);
        Assert.Contains("erp-status", healthy.Stdout, StringComparison.Ordinal);

        var oauth = await Run($"{_integration.ClientSecret}\n", "import", "oauth2", "crm", "--account", Account, "--client-id", _integration.ClientId, "--secrets-from-stdin");
        Assert.Equal(0, oauth.ExitCode);
        Assert.Contains("http://localhost:7071/api/consent/", oauth.Stdout, StringComparison.Ordinal);

        var status = await Run("", "status");
        Assert.Equal(3, status.ExitCode);
        var lines = status.Stdout.Split('\n').SkipWhile(l => !l.StartsWith("----", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("crm ", lines[1], StringComparison.Ordinal);
        Assert.Contains("Needs a person:", status.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(_integration.ClientSecret, status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_oauth2_without_an_account_leaves_it_to_the_first_consent_within_the_allowed_accounts()
    {
        var bad = await Run($"{_integration.ClientSecret}\n", "import", "oauth2", "crm-any-bad", "--client-id", _integration.ClientId, "--allowed-accounts", "7654321_SB1,12x", "--secrets-from-stdin");
        var beside = await Run($"{_integration.ClientSecret}\n", "import", "oauth2", "crm-any-beside", "--account", Account, "--client-id", _integration.ClientId, "--allowed-accounts", "7654321_SB*", "--secrets-from-stdin");
        var oauth = await Run($"{_integration.ClientSecret}\n", "import", "oauth2", "crm-any", "--client-id", _integration.ClientId, "--allowed-accounts", "7654321-sb*,1234567", "--secrets-from-stdin");

        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'12x' is not an allowed-account entry", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, beside.ExitCode);
        Assert.Contains("only for a connection imported without --account", beside.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, oauth.ExitCode);
        Assert.Contains("account chosen by the first consent", oauth.Stderr, StringComparison.Ordinal);
        Assert.Contains("http://localhost:7071/api/consent/", oauth.Stdout, StringComparison.Ordinal);
        var doctor = await Run("", "doctor", "crm-any");
        Assert.Equal(3, doctor.ExitCode);
        Assert.Contains("chooses the account among 7654321_SB*, 1234567", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consent_link_is_signed_for_oauth_connections_and_refused_for_tba()
    {
        await Run($"{_integration.ClientSecret}\n", "import", "oauth2", "crm-link", "--account", Account, "--client-id", _integration.ClientId, "--secrets-from-stdin");
        Assert.Equal(0, (await ImportTba("erp-link")).ExitCode);

        var link = await Run("", "consent-link", "crm-link");
        Assert.Equal(0, link.ExitCode);
        Assert.Matches("^http://localhost:7071/api/consent/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\s*$", link.Stdout);

        var tba = await Run("", "consent-link", "erp-link");
        Assert.Equal(2, tba.ExitCode);
        Assert.Contains("only OAuth 2.0 authorization-code connections", tba.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_explains_a_tba_connection_and_says_what_is_inferred()
    {
        Assert.Equal(0, (await ImportTba("erp-doctor")).ExitCode);

        var doctor = await Run("", "doctor", "erp-doctor");

        Assert.Equal(0, doctor.ExitCode);
        Assert.Contains("realm form (OAuth 1.0a realm, NLAuth account, tokeninfo companyId): 7654321_SB1", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("host form (lowercase, '-'): 7654321-sb1", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("tokeninfo: company 7654321_SB1", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok: the configured hosts are the ones NetSuite names", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok: well inside NetSuite's 5-minute window", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("2028.1", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("TENTATIVE", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("import client-credentials erp-doctor-m2m", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("Inferred (NetSuite exposes no integration-record state)", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("Verdict: healthy", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_says_when_the_credential_last_worked_and_what_proved_it_from_the_index()
    {
        Assert.Equal(0, (await ImportTba("erp-worked")).ExitCode);

        var imported = await Run("", "doctor", "erp-worked", "--output", "json");
        using (var json = System.Text.Json.JsonDocument.Parse(imported.Stdout))
        {
            var credential = json.RootElement.GetProperty("credential");
            Assert.Equal("tokeninfo at import", credential.GetProperty("lastWorkedBy").GetString());
            var workedAt = credential.GetProperty("lastWorkedAt").GetDateTimeOffset();
            Assert.True(workedAt > DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5), $"last worked at {workedAt:u}");
            Assert.Equal(workedAt + TimeSpan.FromDays(1), credential.GetProperty("nextCheckAt").GetDateTimeOffset());
        }

        // `nstoken refresh` of a TBA token is a tokeninfo call: the record moves on.
        Assert.Equal(0, (await Run("", "refresh", "erp-worked")).ExitCode);
        var doctor = await Run("", "doctor", "erp-worked");
        Assert.Contains("credential last worked: ", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("proved by a signed tokeninfo call (the scheduled check)", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("next scheduled check: ", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_reports_a_revoked_token_as_a_failed_check_with_the_login_audit_trail_hint()
    {
        Assert.Equal(0, (await ImportTba("erp-broken")).ExitCode);
        var doc = (await ReadAsync("erp-broken"))!;
        Simulator.State.RevokeTbaToken(Account, doc.Credentials.Current!.Id);

        var doctor = await Run("", "doctor", "erp-broken");

        Assert.Equal(1, doctor.ExitCode);
        Assert.Contains("tokeninfo refused the current token", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("Login Audit Trail", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_credentials_import_whose_proving_mint_fails_is_not_healthy_and_exits_non_zero()
    {
        var user = Simulator.State.GetUser(Account, Email);
        var common = new[] { "--account", Account, "--client-id", _integration.ClientId, "--role", "1000", "--entity", user.EntityId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var newKey = await Run("", ["import", "client-credentials", "wms-proof", .. common, "--new-key"]);
        Assert.Equal(3, newKey.ExitCode);
        var file = System.Text.RegularExpressions.Regex.Match(newKey.Stdout, "Wrote the certificate to (\\S+)").Groups[1].Value;
        var version = System.Text.RegularExpressions.Regex.Match(newKey.Stdout, "--key-version ([0-9a-f]+)").Groups[1].Value;
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(file));
        var mapped = Simulator.State.AddCertificate(Account, _integration.ClientId, Email, 1000, certificate);

        // NetSuite refuses the assertion (a mistyped certificate id), and the key cannot sign (a key version the store lacks).
        var typo = await Run("", ["import", "client-credentials", "wms-typo", .. common, "--certificate-name", "cert-wms-proof", "--key-version", version, "--certificate-id", mapped.CertificateId + "x"]);
        var badKey = await Run("", ["import", "client-credentials", "wms-badkey", .. common, "--certificate-name", "cert-wms-proof", "--key-version", "0123456789abcdef0123456789abcdef", "--certificate-id", mapped.CertificateId]);

        foreach (var (name, result) in new[] { ("wms-typo", typo), ("wms-badkey", badKey) })
        {
            Assert.True(result.ExitCode != 0, $"{name}: exit 0\n{result.Stdout}");
            Assert.Null(await _cli.GetPublishedAsync(name));
            var status = await Run("", "status", "--output", "json");
            using var json = System.Text.Json.JsonDocument.Parse(status.Stdout);
            var connection = json.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
            var state = connection.GetProperty("state").GetString();
            Assert.True(state is "Failing" or "NeedsPerson", $"{name} is {state} after its proving mint failed:\n{result.Stdout}{result.Stderr}");
            Assert.False(string.IsNullOrEmpty(connection.GetProperty("lastErrorMessage").GetString()), $"{name} shows no cause");
        }
    }

    [Fact]
    public async Task Client_credentials_new_key_then_import_then_refresh_mints_an_access_token()
    {
        var user = Simulator.State.GetUser(Account, Email);
        var common = new[] { "--account", Account, "--client-id", _integration.ClientId, "--role", "1000", "--entity", user.EntityId.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        var newKey = await Run("", ["import", "client-credentials", "wms", .. common, "--new-key"]);
        Assert.Equal(3, newKey.ExitCode);
        var file = System.Text.RegularExpressions.Regex.Match(newKey.Stdout, "Wrote the certificate to (\\S+)").Groups[1].Value;
        var pem = await File.ReadAllTextAsync(file);
        var version = System.Text.RegularExpressions.Regex.Match(newKey.Stdout, "--key-version ([0-9a-f]+)").Groups[1].Value;
        Assert.NotEmpty(version);
        Assert.DoesNotContain("PRIVATE KEY", newKey.Stdout + pem, StringComparison.Ordinal);
        Assert.Contains($"--local {_cli.Store}", newKey.Stdout, StringComparison.Ordinal);

        // A person uploads the certificate in NetSuite's M2M setup, which names it.
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        var mapped = Simulator.State.AddCertificate(Account, _integration.ClientId, Email, 1000, certificate);

        // A mistyped certificate id is caught by the mint at import, not 90 days later.
        var mistyped = await Run("", ["import", "client-credentials", "wms-typo", .. common, "--key-version", version, "--certificate-id", mapped.CertificateId + "x"]);
        Assert.NotEqual(0, mistyped.ExitCode);
        Assert.DoesNotContain("minted and published", mistyped.Stdout, StringComparison.Ordinal);
        Assert.Null(await _cli.GetPublishedAsync("wms-typo"));

        var import = await Run("", ["import", "client-credentials", "wms", .. common, "--key-version", version, "--certificate-id", mapped.CertificateId]);
        Assert.Equal(0, import.ExitCode);
        Assert.Contains("minted and published an access token", import.Stdout, StringComparison.Ordinal);
        Assert.NotNull(await _cli.GetPublishedAsync("wms"));

        var refresh = await Run("", "refresh", "wms");
        Assert.Equal(0, refresh.ExitCode);
        Assert.Contains("minted and published an access token", refresh.Stdout, StringComparison.Ordinal);
        var published = await _cli.GetPublishedAsync("wms");
        Assert.True(published!.ExpiresOn > DateTimeOffset.UtcNow);

        var rotate = await Run("", "rotate", "wms");
        Assert.Equal(0, rotate.ExitCode);
        Assert.Contains("verified and promoted certificate", rotate.Stdout, StringComparison.Ordinal);
        var rotated = (await ReadAsync("wms"))!;
        Assert.Equal(mapped.CertificateId, rotated.Credentials.Previous!.Id);
        Assert.NotEqual(mapped.CertificateId, rotated.Credentials.Current!.Id);
        Assert.Equal(2, Simulator.State.Certificates(Account, _integration.ClientId).Count);
    }

    [Theory]
    [InlineData("--token-secret")]
    [InlineData("--consumer-secret=abc")]
    [InlineData("--password")]
    [InlineData("--client-secret")]
    public async Task Secrets_given_as_arguments_are_refused_with_exit_code_2(string option)
    {
        var result = await Run("", "import", "tba", "erp", "--account", Account, option, "s3cr3t-value");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("secrets are never accepted as arguments", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_without_a_terminal_and_without_stdin_secrets_says_how_to_give_them()
    {
        var result = await Run("", "import", "tba", "erp", "--account", Account, "--consumer-key", "ck", "--token-id", "t", "--email", Email, "--role", "1000");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--secrets-from-stdin", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_prompts_for_secrets_without_echo_when_there_is_a_terminal()
    {
        var token = Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000);
        var answers = new Queue<string?>([_integration.ConsumerSecret, token.TokenSecret, Password, TotpSecret]);
        var prompts = new List<string>();

        var result = await Cli.RunAsync(
            ["import", "tba", "erp-prompted", "--account", Account, "--consumer-key", _integration.ConsumerKey, "--token-id", token.TokenId, "--email", Email, "--role", "1000", "--local", _cli.Store, "--settings", _cli.Settings],
            prompt: (text, _) =>
            {
                prompts.Add(text);
                return Task.FromResult(answers.Dequeue());
            });

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(4, prompts.Count);
        Assert.StartsWith("Consumer secret", prompts[0], StringComparison.Ordinal);
        Assert.DoesNotContain(token.TokenSecret, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_connection_and_invalid_names_are_bad_input()
    {
        Directory.CreateDirectory(_cli.Store);
        var unknown = await Run("", "rotate", "nope");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("No connection named nope", unknown.Stderr, StringComparison.Ordinal);

        var invalid = await Run("", "pause", "bad_name!");
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("is not a connection name", invalid.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_local_or_key_vault_settings_the_error_names_the_setting()
    {
        var result = await Cli.RunAsync(["status"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("KeyVault:StateVaultUri", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--local", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_come_from_environment_variables_and_local_settings_json_values()
    {
        var localSettings = Path.Combine(_cli.Folder, "local.settings.json");
        await File.WriteAllTextAsync(localSettings, """{ "IsEncrypted": false, "Values": { "KeyVault__StateVaultUri": "not a url", "KeyVault__ConsumerVaultUri": "https://kv-cons.vault.azure.net/", "TokenRotation__PublicBaseUrl": "https://func.example.net", "Storage__ConnectionString": "UseDevelopmentStorage=true" } }""");

        var fromFile = await Cli.RunAsync(["status", "--settings", localSettings]);
        Assert.Equal(2, fromFile.ExitCode);
        Assert.Contains("KeyVault:StateVaultUri must be an absolute URL", fromFile.Stderr, StringComparison.Ordinal);

        var fromEnvironment = await Cli.RunAsync(["status"], environment: new Dictionary<string, string?> { ["KeyVault__StateVaultUri"] = "https://kv-state.vault.azure.net/" });
        Assert.Equal(2, fromEnvironment.ExitCode);
        Assert.DoesNotContain("KeyVault:StateVaultUri", fromEnvironment.Stderr, StringComparison.Ordinal);
        Assert.Contains("KeyVault:ConsumerVaultUri", fromEnvironment.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command_and_the_exit_codes()
    {
        var help = await Cli.RunAsync(["--help"]);

        Assert.Equal(0, help.ExitCode);
        foreach (var command in new[] { "status", "refresh", "rotate", "pause", "resume", "rollback", "delete", "recover", "consent-link", "import", "sign", "doctor", "demo" })
        {
            Assert.Contains(command, help.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("3  needs a person", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("4  conflict", help.Stdout, StringComparison.Ordinal);

        var importHelp = await Cli.RunAsync(["import", "tba", "--help"]);
        Assert.Equal(0, importHelp.ExitCode);
        Assert.Contains("--secrets-from-stdin", importHelp.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parse_error_is_exit_code_2_and_points_to_help()
    {
        var result = await Cli.RunAsync(["rotate"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nstoken rotate --help", result.Stderr, StringComparison.Ordinal);
    }
}
