using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenRotation.Configuration;

namespace TokenRotation.Cli.Tests;

/// <summary><c>nstoken config --from-azd</c>: the deployment's outputs become a settings file nstoken composes from.</summary>
public sealed class ConfigCommandTests
{
    // What `azd env get-values` prints after `azd provision` of infra/main.bicep (quoted values), plus azd's own keys.
    private const string AzdValues = """
        AZURE_ENV_NAME="nstoken-prod"
        AZURE_LOCATION="swedencentral"
        AZURE_RESOURCE_GROUP="rg-nstoken-prod"
        AZURE_SUBSCRIPTION_ID="00000000-0000-0000-0000-000000000001"
        AZURE_TENANT_ID="00000000-0000-0000-0000-000000000002"
        Coordination__ConsentTable="nstokenconsent"
        Coordination__JournalTable="nstokenjournal"
        Coordination__TotpTable="nstokentotp"
        KeyVault__ConsumerVaultUri="https://kvcn-abc123.vault.azure.net/"
        KeyVault__ManagedIdentityClientId="11111111-1111-1111-1111-111111111111"
        KeyVault__StateVaultUri="https://kvst-abc123.vault.azure.net/"
        KeyVault__WritesPer10Seconds="20"
        NetSuite__AppUrlTemplate="https://{account}.app.netsuite.com"
        NetSuite__DataCenterUrlsUrl="https://rest.netsuite.com/rest/datacenterurls"
        NetSuite__GenericAuthorizeUrl="https://system.netsuite.com/app/login/oauth2/authorize.nl"
        NetSuite__RestletsUrlTemplate="https://{account}.restlets.api.netsuite.com"
        NetSuite__SuiteTalkUrlTemplate="https://{account}.suitetalk.api.netsuite.com"
        OperatorAuth__ClientId="22222222-2222-2222-2222-222222222222"
        Rotation__GracePeriod="2.00:00:00"
        Rotation__TbaRotationInterval="60.00:00:00"
        Storage__BlobServiceUri="https://stnstokenabc.blob.core.windows.net/"
        Storage__LeaseContainer="nstoken-leases"
        Storage__QueueServiceUri="https://stnstokenabc.queue.core.windows.net/"
        Storage__TableServiceUri="https://stnstokenabc.table.core.windows.net/"
        TokenRotation__PublicBaseUrl="https://func-nstoken-abc.azurewebsites.net"
        TokenRotation__ServiceName="nstoken"
        VAULT_NAME_SALT="0ld5a17"
        WorkQueueName="nstoken-work"
        functionAppName="func-nstoken-abc"
        """;

    [Fact]
    public async Task From_azd_writes_a_settings_file_that_configures_nstoken_for_the_deployment()
    {
        var folder = Directory.CreateTempSubdirectory("nstoken-config-").FullName;

        var result = await Cli.RunAsync(["config", "--from-azd", "-"], stdin: AzdValues, workingDirectory: folder);

        Assert.Equal(0, result.ExitCode);
        var path = Path.Combine(folder, "appsettings.json");
        Assert.Contains($"Wrote 20 settings to {path}", result.Stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var root = json.RootElement;
        Assert.Equal("https://kvst-abc123.vault.azure.net/", root.GetProperty("KeyVault").GetProperty("StateVaultUri").GetString());
        Assert.Equal("nstoken-work", root.GetProperty("WorkQueueName").GetString());

        // Not copied: the app's managed identity (nstoken signs in as the operator), the operator API's registration, azd's own keys.
        Assert.False(root.GetProperty("KeyVault").TryGetProperty("ManagedIdentityClientId", out _));
        Assert.False(root.TryGetProperty("OperatorAuth", out _));
        Assert.False(root.TryGetProperty("AZURE_SUBSCRIPTION_ID", out _));
        Assert.False(root.TryGetProperty("VAULT_NAME_SALT", out _));

        // nstoken, run from that folder, composes against the deployment with these values (no network needed to check).
        var console = new CliConsole { In = new StringReader(""), Out = new StringWriter(), Error = new StringWriter(), WorkingDirectory = folder };
        await using var services = CliHost.BuildServices(console, settingsFile: null, localFolder: null);
        Assert.Equal("https://kvst-abc123.vault.azure.net/", services.GetRequiredService<IOptions<KeyVaultOptions>>().Value.StateVaultUri);
        Assert.Null(services.GetRequiredService<IOptions<KeyVaultOptions>>().Value.ManagedIdentityClientId);
        Assert.Equal("https://stnstokenabc.table.core.windows.net/", services.GetRequiredService<IOptions<StorageOptions>>().Value.TableServiceUri);
        Assert.Equal("nstoken-work", services.GetRequiredService<IOptions<StorageOptions>>().Value.WorkQueue);
        Assert.Equal(TimeSpan.FromDays(2), services.GetRequiredService<IOptions<RotationOptions>>().Value.GracePeriod);
        Assert.Equal("https://func-nstoken-abc.azurewebsites.net", services.GetRequiredService<IOptions<TokenRotationOptions>>().Value.PublicBaseUrl);
    }

    [Fact]
    public async Task From_azd_reads_a_file_and_refuses_to_overwrite_without_force()
    {
        var folder = Directory.CreateTempSubdirectory("nstoken-config-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "azd.env"), AzdValues);

        var first = await Cli.RunAsync(["config", "--from-azd", "azd.env", "--out", "prod.json"], workingDirectory: folder);
        var second = await Cli.RunAsync(["config", "--from-azd", "azd.env", "--out", "prod.json"], workingDirectory: folder);
        var forced = await Cli.RunAsync(["config", "--from-azd", "azd.env", "--out", "prod.json", "--force"], workingDirectory: folder);

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("--settings", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("exists; pass --force", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, forced.ExitCode);
        Assert.False(File.Exists(Path.Combine(folder, "appsettings.json")));
    }

    [Fact]
    public async Task From_azd_refuses_values_that_are_not_a_provisioned_environment_and_writes_nothing()
    {
        var folder = Directory.CreateTempSubdirectory("nstoken-config-").FullName;

        var missing = await Cli.RunAsync(["config", "--from-azd", "-"], stdin: "AZURE_ENV_NAME=\"x\"\nKeyVault__StateVaultUri=\"https://kvst-a.vault.azure.net/\"\n", workingDirectory: folder);
        var garbage = await Cli.RunAsync(["config", "--from-azd", "-"], stdin: "this is not azd output\n", workingDirectory: folder);
        var http = await Cli.RunAsync(["config", "--from-azd", "-"], stdin: AzdValues.Replace("https://kvst-abc123", "http://kvst-abc123", StringComparison.Ordinal), workingDirectory: folder);
        var noFile = await Cli.RunAsync(["config", "--from-azd", "nothing.env"], workingDirectory: folder);

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("KeyVault__ConsumerVaultUri", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("azd provision", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, garbage.ExitCode);
        Assert.Contains("line 1 is not KEY=\"VALUE\"", garbage.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, http.ExitCode);
        Assert.Contains("KeyVault__StateVaultUri is 'http://kvst-abc123.vault.azure.net/', not an https URL", http.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noFile.ExitCode);
        Assert.Empty(Directory.GetFiles(folder));
    }
}
