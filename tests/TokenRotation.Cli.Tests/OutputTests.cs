using TokenRotation.Connections;
using System.Globalization;
using System.Text.Json;
using NetSuite.Simulator;

namespace TokenRotation.Cli.Tests;

/// <summary>What a person and a script see: --output json on every command, colour rules, widths, hints, progress.</summary>
public sealed class OutputTests : IAsyncLifetime
{
    private const string Account = LocalCli.Account;
    private const string Email = LocalCli.Email;
    private const string Password = LocalCli.Password;
    private const string TotpSecret = LocalCli.TotpSecret;
    private const string Escape = "\u001b[";

    private LocalCli _cli = null!;
    private SimIntegration _integration = null!;

    private NetSuiteSimulator Simulator => _cli.Simulator;

    public async Task InitializeAsync()
    {
        _cli = await LocalCli.StartAsync("nstoken-output-test-");
        _cli.SeedAccount(consentUser: true);
        _integration = Simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = [LocalCli.LocalCallback] });
    }

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    private Task<(int ExitCode, string Stdout, string Stderr)> Run(string stdin, params string[] args) => _cli.RunAsync(stdin, args);

    private Task<(int ExitCode, string Stdout, string Stderr)> ImportTba(string name, string account = Account, params string[] more)
    {
        var token = Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "made in the UI");
        return Run(
            $"{_integration.ConsumerSecret}\n{token.TokenSecret}\n{Password}\n{TotpSecret}\n",
            ["import", "tba", name, "--account", account, "--consumer-key", _integration.ConsumerKey, "--token-id", token.TokenId, "--email", Email, "--role", "1000", "--secrets-from-stdin", .. more]);
    }

    private static JsonElement Json(string stdout)
    {
        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Every_command_prints_one_json_document_with_output_json()
    {
        var import = await ImportTba("erp", Account, "--output", "json");
        Assert.Equal(0, import.ExitCode);
        var imported = Json(import.Stdout);
        Assert.Equal("erp", imported.GetProperty("connection").GetString());
        Assert.Equal("Succeeded", imported.GetProperty("result").GetString());
        Assert.Equal(0, imported.GetProperty("exitCode").GetInt32());
        Assert.NotEmpty(imported.GetProperty("actions").EnumerateArray());

        var status = Json((await Run("", "status", "--output", "json")).Stdout);
        var erp = Assert.Single(status.EnumerateArray());
        Assert.Equal("Tba", erp.GetProperty("kind").GetString());
        Assert.Equal(ConnectionKindNames.Tba, erp.GetProperty("kindName").GetString());
        Assert.Equal("Healthy", erp.GetProperty("state").GetString());

        // --json stays an alias of --output json.
        Assert.Equal(JsonValueKind.Array, Json((await Run("", "status", "--json")).Stdout).ValueKind);

        foreach (var (args, result) in new (string[] Args, string Result)[]
        {
            (["refresh", "erp"], "Succeeded"),
            (["rotate", "erp", "--dry-run"], "DryRun"),
            (["rotate", "erp"], "Succeeded"),
            (["rollback", "erp"], "Succeeded"),
            (["pause", "erp"], "Succeeded"),
            (["resume", "erp"], "Succeeded"),
            (["delete", "erp"], "Succeeded"),
            (["recover", "erp", "--dry-run"], "DryRun"),
            (["recover", "erp"], "Succeeded"),
        })
        {
            var run = await Run("", [.. args, "-o", "json"]);
            var json = Json(run.Stdout);
            Assert.True(result == json.GetProperty("result").GetString(), $"{string.Join(' ', args)}: {run.Stdout} {run.Stderr}");
            Assert.Equal(run.ExitCode, json.GetProperty("exitCode").GetInt32());
            Assert.Equal("erp", json.GetProperty("connection").GetString());
        }

        var doctor = await Run("", "doctor", "erp", "-o", "json");
        var report = Json(doctor.Stdout);
        Assert.Equal(doctor.ExitCode, report.GetProperty("exitCode").GetInt32());
        Assert.NotNull(report.GetProperty("verdict").GetString());
        Assert.Contains(report.GetProperty("sections").EnumerateArray(), s => s.GetProperty("title").GetString() == "Clock");

        var oauth = await Run($"{_integration.ClientSecret}\n", "import", "oauth2", "crm", "--account", Account, "--client-id", _integration.ClientId, "--secrets-from-stdin", "-o", "json");
        Assert.Equal(0, oauth.ExitCode);
        Assert.Contains("http://localhost:7071/api/consent/", Assert.Single(Json(oauth.Stdout).GetProperty("next").EnumerateArray()).GetString(), StringComparison.Ordinal);

        var link = Json((await Run("", "consent-link", "crm", "-o", "json")).Stdout);
        Assert.StartsWith("http://localhost:7071/api/consent/", link.GetProperty("link").GetString(), StringComparison.Ordinal);
        Assert.True(link.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);

        var user = Simulator.State.GetUser(Account, Email);
        var newKey = await Run("", "import", "client-credentials", "wms", "--account", Account, "--client-id", _integration.ClientId, "--role", "1000",
            "--entity", user.EntityId.ToString(CultureInfo.InvariantCulture), "--new-key", "-o", "json");
        Assert.Equal(3, newKey.ExitCode);
        var certificate = Json(newKey.Stdout);
        Assert.Contains("BEGIN CERTIFICATE", await File.ReadAllTextAsync(certificate.GetProperty("certificateFile").GetString()!), StringComparison.Ordinal);
        Assert.NotEmpty(certificate.GetProperty("keyVersion").GetString()!);

        var migrate = await Run("", "migrate", "erp", "--to", "erp-m2m", "-o", "json");
        Assert.Equal(3, migrate.ExitCode);
        Assert.True(File.Exists(Json(migrate.Stdout).GetProperty("certificateFile").GetString()));

        var sign = await Cli.RunAsync(["sign", "--method", "GET", "--url", "https://7654321-sb1.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=1&deploy=1",
            "--account", Account, "--consumer-key", "ck", "--token-id", "tk", "--secrets-from-stdin", "-o", "json"], "cs\nts\n");
        Assert.Equal(0, sign.ExitCode);
        var signed = Json(sign.Stdout);
        Assert.StartsWith("OAuth realm=\"7654321_SB1\"", signed.GetProperty("authorization").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ts", signed.GetProperty("baseString").GetString()!.Split('&').Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Colour_only_on_a_terminal_without_no_color_and_never_in_json()
    {
        Assert.Equal(0, (await ImportTba("erp-colour")).ExitCode);

        var terminal = await _cli.RunOnTerminalAsync(null, null, "status");
        Assert.Contains(Escape, terminal.Stdout, StringComparison.Ordinal);

        var redirected = await Run("", "status");
        Assert.DoesNotContain(Escape, redirected.Stdout + redirected.Stderr, StringComparison.Ordinal);

        // NO_COLOR turns colour off whatever its value, even empty.
        foreach (var value in new[] { "1", "" })
        {
            var noColour = await _cli.RunOnTerminalAsync(new Dictionary<string, string?> { ["NO_COLOR"] = value }, null, "status");
            Assert.Equal(0, noColour.ExitCode);
            Assert.DoesNotContain(Escape, noColour.Stdout + noColour.Stderr, StringComparison.Ordinal);
        }

        var json = await _cli.RunOnTerminalAsync(null, null, "status", "-o", "json");
        Assert.DoesNotContain(Escape, json.Stdout, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, Json(json.Stdout).ValueKind);
    }

    [Fact]
    public async Task The_status_table_fits_120_columns_or_the_terminal_and_shows_one_name_per_kind()
    {
        Assert.Equal(0, (await ImportTba("erp-with-a-rather-long-connection-name-for-the-table")).ExitCode);
        await Run($"{_integration.ClientSecret}\n", "import", "oauth2", "crm-with-another-long-name", "--account", Account, "--client-id", _integration.ClientId, "--secrets-from-stdin");

        // A command to paste is never broken over two lines (the terminal wraps it softly); every other line fits.
        var status = await Run("", "status");
        Assert.All(status.Stdout.Split('\n').Where(l => !l.Contains("`nstoken ", StringComparison.Ordinal)), line => Assert.True(line.Length <= 120, $"{line.Length}: {line}"));
        Assert.Contains("OAuth 2.0", status.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("OAuth2AuthorizationCode", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("nstoken consent-link crm-with-another-long-name --local", status.Stdout, StringComparison.Ordinal);

        var narrow = await _cli.RunOnTerminalAsync(new Dictionary<string, string?> { ["NO_COLOR"] = "1" }, 80, "status");
        Assert.All(narrow.Stdout.Split('\n').Where(l => !l.Contains("`nstoken ", StringComparison.Ordinal)), line => Assert.True(line.Length <= 80, $"{line.Length}: {line}"));
    }

    [Fact]
    public async Task Status_on_a_local_folder_that_does_not_exist_says_so_and_creates_nothing()
    {
        var missing = Path.Combine(_cli.Folder, "no-such-folder");

        var status = await Cli.RunAsync(["status", "--local", missing]);

        Assert.Equal(2, status.ExitCode);
        Assert.Contains($"--local: the folder {missing} does not exist", status.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Recover_dry_run_says_what_it_would_do_and_recovers_nothing()
    {
        Assert.Equal(0, (await ImportTba("erp-recover")).ExitCode);
        Assert.Equal(0, (await Run("", "delete", "erp-recover")).ExitCode);

        var dry = await Run("", "recover", "erp-recover", "--dry-run");

        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("would recover the state secret", dry.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("recovered", dry.Stdout + dry.Stderr, StringComparison.Ordinal);
        Assert.Null(await _cli.GetAsync("erp-recover"));
        Assert.Contains($"nstoken recover erp-recover --local {_cli.Store}", dry.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_never_says_it_is_doing_the_work()
    {
        Assert.Equal(0, (await ImportTba("erp-dry")).ExitCode);

        foreach (var verb in new[] { "rotate", "refresh", "delete" })
        {
            var dry = await Run("", verb, "erp-dry", "--dry-run");
            Assert.Equal(0, dry.ExitCode);
            Assert.StartsWith("Dry run:", dry.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Rotating", dry.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Deleting", dry.Stderr, StringComparison.Ordinal);
            Assert.Contains("dry run (nothing was changed)", dry.Stdout, StringComparison.Ordinal);
        }

        Assert.NotNull(await _cli.GetAsync("erp-dry"));
    }

    [Fact]
    public async Task Next_step_hints_repeat_the_local_and_settings_options()
    {
        Assert.Equal(0, (await ImportTba("erp-hint")).ExitCode);
        Assert.Equal(0, (await Run("", "pause", "erp-hint")).ExitCode);

        var paused = await Run("", "refresh", "erp-hint");

        Assert.Equal(4, paused.ExitCode);
        Assert.Contains($"nstoken resume erp-hint --local {_cli.Store} --settings {_cli.Settings}", paused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Likely_causes_are_a_list_and_every_line_fits_the_width()
    {
        Assert.Equal(0, (await ImportTba("erp-revoked")).ExitCode);
        Simulator.State.RevokeTbaToken(Account, (await _cli.GetAsync("erp-revoked"))!.Credentials.Current!.Id);

        var refresh = await Run("", "refresh", "erp-revoked");

        Assert.NotEqual(0, refresh.ExitCode);
        var lines = refresh.Stderr.Split('\n');
        var causes = Array.FindIndex(lines, l => l.Trim() == "Likely causes:");
        Assert.True(causes > 0, refresh.Stderr);
        Assert.StartsWith("      * ", lines[causes + 1], StringComparison.Ordinal);
        Assert.True(lines.Count(l => l.StartsWith("      * ", StringComparison.Ordinal)) >= 3, refresh.Stderr);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("Where to look: In NetSuite open Setup > Users/Roles", StringComparison.Ordinal));
        Assert.All(lines.Where(l => !l.Contains("`nstoken ", StringComparison.Ordinal)), line => Assert.True(line.Length <= 120, $"{line.Length}: {line}"));
    }

    [Fact]
    public async Task An_account_netsuite_does_not_know_hints_at_the_sandbox_suffix()
    {
        // 7654321 is the sandbox's production id: NetSuite has no such account here and answers 404.
        var import = await ImportTba("erp-wrong-account", "7654321");

        Assert.NotEqual(0, import.ExitCode);
        Assert.Contains("its id carries a suffix (7654321_SB1", import.Stdout + import.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_netsuite_call_is_reported_on_stderr_while_it_waits()
    {
        Assert.Equal(0, (await ImportTba("erp-retry")).ExitCode);
        Simulator.Faults.AddStatus(SimEndpoint.TokenInfo, 503, times: 1);

        var refresh = await Run("", "refresh", "erp-retry", "-o", "json");

        Assert.Equal(0, refresh.ExitCode);
        Assert.Contains("NetSuite answered HTTP 503 to NetSuite (refreshing erp-retry); retrying", refresh.Stderr, StringComparison.Ordinal);
        Assert.Equal("Succeeded", Json(refresh.Stdout).GetProperty("result").GetString());
    }
}
