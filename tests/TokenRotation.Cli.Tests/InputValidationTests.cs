using NetSuite.Simulator;

namespace TokenRotation.Cli.Tests;

/// <summary>
/// Values typed or pasted with a trailing newline (which .NET's <c>$</c> lets through) or another control character are
/// refused with exit code 2 and a message naming the option, before anything is stored or sent.
/// </summary>
public sealed class InputValidationTests : IAsyncLifetime
{
    private const string Account = LocalCli.Account;
    private const string Email = LocalCli.Email;
    private const string Password = LocalCli.Password;
    private const string TotpSecret = LocalCli.TotpSecret;

    private LocalCli _cli = null!;
    private SimIntegration _integration = null!;

    public async Task InitializeAsync()
    {
        _cli = await LocalCli.StartAsync("nstoken-cli-input-");
        _cli.SeedAccount();
        _integration = _cli.Simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = [LocalCli.LocalCallback] });
    }

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("refresh")]
    [InlineData("consent-link")]
    public async Task A_connection_name_with_a_trailing_newline_is_refused_with_exit_code_2_naming_NAME(string command)
    {
        var result = await _cli.RunAsync("", command, "erp\n");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("NAME: 'erp\\u000a' is not a connection name", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--account", "1234567\n")]
    [InlineData("--role", "3\n")]
    [InlineData("--email", Email + "\n")]
    [InlineData("--consumer-key", "ck\n")]
    [InlineData("--token-id", "t\r\n")]
    public async Task Import_tba_refuses_a_value_with_a_control_character_naming_the_option(string option, string value)
    {
        var token = _cli.Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "made in the UI");
        var values = new Dictionary<string, string>
        {
            ["--account"] = Account,
            ["--consumer-key"] = _integration.ConsumerKey,
            ["--token-id"] = token.TokenId,
            ["--email"] = Email,
            ["--role"] = "1000",
        };
        values[option] = value;

        var result = await _cli.RunAsync(
            $"{_integration.ConsumerSecret}\n{token.TokenSecret}\n{Password}\n{TotpSecret}\n",
            ["import", "tba", "erp", .. values.SelectMany(v => new[] { v.Key, v.Value }), "--secrets-from-stdin"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(option + ": ", result.Stderr, StringComparison.Ordinal);
        Assert.Null(await _cli.GetAsync("erp"));
    }

    [Theory]
    [InlineData("--role", "1000\n")]
    [InlineData("--entity", "7\n")]
    public async Task Import_oauth2_refuses_a_pinned_role_or_entity_with_a_control_character(string option, string value)
    {
        var result = await _cli.RunAsync($"{_integration.ClientSecret}\n",
            "import", "oauth2", "crm", "--account", Account, "--client-id", _integration.ClientId, option, value, "--secrets-from-stdin");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(option + ": ", result.Stderr, StringComparison.Ordinal);
        Assert.Null(await _cli.GetAsync("crm"));
    }

    [Theory]
    [InlineData("--role", "3\n")]
    [InlineData("--entity", "7\n")]
    [InlineData("--certificate-name", "cert-m2m\n")]
    [InlineData("--key-version", "abc\n")]
    [InlineData("--certificate-id", "id\n")]
    public async Task Import_client_credentials_refuses_a_value_with_a_control_character_naming_the_option(string option, string value)
    {
        var values = new Dictionary<string, string>
        {
            ["--account"] = Account,
            ["--client-id"] = _integration.ClientId,
            ["--role"] = "1000",
            ["--entity"] = "7",
            ["--certificate-name"] = "cert-m2m",
            ["--key-version"] = "0123456789abcdef",
            ["--certificate-id"] = "certificate-1",
        };
        values[option] = value;

        var result = await _cli.RunAsync("", ["import", "client-credentials", "m2m", .. values.SelectMany(v => new[] { v.Key, v.Value })]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(option + ": ", result.Stderr, StringComparison.Ordinal);
        Assert.Null(await _cli.GetAsync("m2m"));
    }

    [Fact]
    public async Task Migrate_refuses_a_target_name_with_a_trailing_newline_naming_the_option()
    {
        var result = await _cli.RunAsync("", "migrate", "erp", "--to", "erp-m2m\n");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("--to: ", result.Stderr, StringComparison.Ordinal);
    }
}
