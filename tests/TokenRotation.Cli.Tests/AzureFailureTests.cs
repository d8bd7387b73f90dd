using System.Net;
using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TokenRotation.Cli.Tests;

/// <summary>
/// Every Azure failure nstoken meets is one line on stderr that names the vault or endpoint and the setting it came
/// from, with exit code 1: never an unhandled exception with a stack.
/// </summary>
public sealed class AzureFailureTests
{
    [Fact]
    public async Task Status_against_a_closed_port_prints_one_line_naming_the_vault_and_its_setting_and_exits_1()
    {
        var vault = $"https://127.0.0.1:{ClosedPort()}/";

        var result = await RunStatusAsync(vault);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(Lines(result.Stderr));
        Assert.Contains(vault, line, StringComparison.Ordinal);
        Assert.Contains("KeyVault__StateVaultUri", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_against_a_host_name_that_does_not_resolve_prints_one_line_naming_the_vault_and_exits_1()
    {
        const string vault = "https://nosuchvault.invalid/";

        var result = await RunStatusAsync(vault);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(Lines(result.Stderr));
        Assert.Contains(vault, line, StringComparison.Ordinal);
        Assert.Contains("KeyVault__StateVaultUri", line, StringComparison.Ordinal);
        Assert.Contains("DNS", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_403_from_key_vault_names_the_vault_and_the_role_to_check()
    {
        var settings = Settings("https://kvst-abc.vault.azure.net/");
        var refused = new RequestFailedException(403, "Caller is not authorized to perform action on resource.\r\nVault: kvst-abc;location=westeurope", "Forbidden", null);

        var line = AzureFailures.Describe(new AggregateException(refused), settings);

        Assert.NotNull(line);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("https://kvst-abc.vault.azure.net/", line, StringComparison.Ordinal);
        Assert.Contains("Key Vault Secrets Officer", line, StringComparison.Ordinal);
        Assert.Contains("403", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_404_names_what_was_missing()
    {
        var line = AzureFailures.Describe(new RequestFailedException(404, "The specified container does not exist.", "ContainerNotFound", null), Settings("https://kvst-abc.vault.azure.net/"));

        Assert.NotNull(line);
        Assert.Contains("404", line, StringComparison.Ordinal);
        Assert.Contains("ContainerNotFound", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_in_failures_say_how_to_sign_in()
    {
        var settings = Settings("https://kvst-abc.vault.azure.net/");

        var unavailable = AzureFailures.Describe(new CredentialUnavailableException("DefaultAzureCredential failed to retrieve a token from the included credentials.\nEnvironmentCredential ..."), settings);
        var failed = AzureFailures.Describe(new AggregateException(new AuthenticationFailedException("AzureCliCredential authentication failed: AADSTS700082 refresh token expired")), settings);

        Assert.All(new[] { unavailable, failed }, line =>
        {
            Assert.NotNull(line);
            Assert.DoesNotContain('\n', line);
            Assert.Contains("az login", line, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Other_exceptions_are_not_taken_for_azure_failures()
    {
        Assert.Null(AzureFailures.Describe(new ArgumentException("bug"), Settings("https://kvst-abc.vault.azure.net/")));
    }

    private static IConfiguration Settings(string vault) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KeyVault:StateVaultUri"] = vault,
            ["KeyVault:ConsumerVaultUri"] = "https://kvcn-abc.vault.azure.net/",
        }).Build();

    // Storage works (Azurite, an empty index table); the vault is what fails, as when an operator mistypes it.
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunStatusAsync(string vault) =>
        await Cli.RunAsync(
            ["status"],
            environment: new Dictionary<string, string?>
            {
                ["KeyVault__StateVaultUri"] = vault,
                ["KeyVault__ConsumerVaultUri"] = vault,
                ["TokenRotation__PublicBaseUrl"] = "https://func.example.net",
                ["Storage__ConnectionString"] = (await Testing.Shared.Azurite.GetAsync()).ConnectionString,
                ["Coordination__IndexTable"] = "clifailure" + Guid.NewGuid().ToString("N")[..12],
            },
            // No sign-in on a test machine: a fixed token, so what fails is the network, as for an operator.
            services: s => s.Replace(ServiceDescriptor.Singleton<TokenCredential>(new FixedToken())));

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class FixedToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("test-token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
