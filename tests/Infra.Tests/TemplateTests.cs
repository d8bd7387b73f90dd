using System.Text.Json.Nodes;

namespace Infra.Tests;

public sealed class TemplateTests
{
    // azd keeps every output in its environment (`azd env get-values`); these are the names its templates use.
    private static readonly string[] ConventionalAzdOutputs = ["AZURE_LOCATION", "AZURE_TENANT_ID", "AZURE_RESOURCE_GROUP"];

    // What nstoken needs to reach this deployment, named as its settings so the environment configures it.
    private static readonly string[] CliSettingOutputs =
    [
        "KeyVault__StateVaultUri", "KeyVault__ConsumerVaultUri",
        "Storage__BlobServiceUri", "Storage__QueueServiceUri", "Storage__TableServiceUri",
        "Storage__LeaseContainer", "WorkQueueName", "Coordination__TotpTable", "Coordination__ConsentTable", "Coordination__IndexTable",
        "TokenRotation__PublicBaseUrl", "TokenRotation__ServiceName", "TokenRotation__AccountConcurrency", "KeyVault__WritesPer10Seconds",
        "Coordination__JournalTable",
        "Rotation__AccessTokenLeadTime", "Rotation__ConsentWarningLeadTime", "Rotation__TbaRotationInterval", "Rotation__GracePeriod",
        "Rotation__VerifyTimeout", "Rotation__CredentialCheckInterval", "Rotation__CertificateRenewBefore", "Rotation__ConsentLinkLifetime",
        "NetSuite__SuiteTalkUrlTemplate", "NetSuite__RestletsUrlTemplate", "NetSuite__AppUrlTemplate", "NetSuite__GenericAuthorizeUrl", "NetSuite__DataCenterUrlsUrl",
    ];

    // App settings only the Functions host or the app itself reads: the CLI signs in as the operator and serves no API.
    private static readonly string[] AppOnlySettings =
    [
        "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri", "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "RefreshOAuth2TokensSchedule", "RotateTbaTokensSchedule", "KeyVault__ManagedIdentityClientId", "OperatorAuth__TenantId", "OperatorAuth__ClientId",
    ];

    [Fact]
    public async Task Outputs_name_the_app_its_urls_both_vaults_the_storage_endpoints_and_the_azd_conventions()
    {
        var outputs = (await Scenarios.Arm())["outputs"]!.AsObject();

        string[] expected = ["functionAppName", "functionAppUrl", "oauthCallbackUrl", "stateVaultUri", "consumerVaultUri", .. ConventionalAzdOutputs, .. CliSettingOutputs];
        Assert.Equal(expected.Order(StringComparer.Ordinal), outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.All(outputs, o =>
        {
            Assert.Equal("string", o.Value.Str("type"));
            Assert.False(string.IsNullOrWhiteSpace(o.Value.At("metadata", "description")?.GetValue<string>()), $"{o.Key} has no description");
        });
    }

    [Fact]
    public async Task Cli_outputs_carry_the_same_values_as_the_app_settings_of_the_same_name()
    {
        var snapshot = await Scenarios.Complete();
        var settings = snapshot.AppSettings;

        foreach (var name in CliSettingOutputs)
        {
            Assert.True(settings.ContainsKey(name), $"No app setting {name}.");
            Assert.Equal(settings[name], snapshot.Outputs[name]?.GetValue<string>());
        }

        Assert.DoesNotContain("KeyVault__ManagedIdentityClientId", snapshot.Outputs.Select(o => o.Key));
    }

    [Fact]
    public async Task Every_app_setting_the_engine_reads_is_an_output_so_azd_values_configure_nstoken_completely()
    {
        var snapshot = await Scenarios.Complete();

        // A setting added to the app later must be added to the outputs too (or named app-only here, with a reason).
        var engineSettings = snapshot.AppSettings.Keys.Except(AppOnlySettings, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(engineSettings, CliSettingOutputs.Order(StringComparer.Ordinal));
        Assert.All(engineSettings, name => Assert.Equal(snapshot.AppSettings[name], snapshot.Outputs[name]?.GetValue<string>()));
    }

    [Fact]
    public async Task Conventional_azd_outputs_are_the_deployment_location_tenant_and_resource_group()
    {
        var outputs = (await Scenarios.Complete()).Outputs;

        Assert.Equal(BicepCli.Location, outputs["AZURE_LOCATION"]?.GetValue<string>());
        Assert.Equal(BicepCli.TenantId, outputs["AZURE_TENANT_ID"]?.GetValue<string>());
        Assert.Equal(BicepCli.ResourceGroup, outputs["AZURE_RESOURCE_GROUP"]?.GetValue<string>());
    }

    [Fact]
    public async Task Oauth_callback_url_is_the_app_url_plus_the_callback_route()
    {
        var outputs = (await Scenarios.Complete()).Outputs;

        var appUrl = outputs["functionAppUrl"]!.GetValue<string>();
        var callback = outputs["oauthCallbackUrl"]!.GetValue<string>();
        Assert.StartsWith("[format('https://{0}'", appUrl, StringComparison.Ordinal);
        Assert.Equal($"[format('{{0}}/api/oauth/callback', {appUrl[1..^1]})]", callback);
    }

    [Fact]
    public async Task Every_parameter_of_every_template_says_whether_it_is_required_or_optional()
    {
        var arm = await Scenarios.Arm();
        var templates = new List<(string Name, JsonObject Template)> { ("main", arm) };
        templates.AddRange(((JsonObject)arm["resources"]!).Select(r => (r.Key, r.Value.At("properties", "template")!.AsObject())));

        Assert.True(templates.Count >= 8, "main.bicep should compose its modules.");
        foreach (var (name, template) in templates)
        {
            foreach (var (parameter, definition) in template["parameters"]?.AsObject() ?? [])
            {
                var description = definition.At("metadata", "description")?.GetValue<string>() ?? "";
                Assert.True(
                    description.StartsWith("Required. ", StringComparison.Ordinal) || description.StartsWith("Optional. ", StringComparison.Ordinal),
                    $"{name}: parameter {parameter} needs a description starting with 'Required.' or 'Optional.'");
            }
        }
    }

    [Fact]
    public async Task Parameter_file_fails_without_a_vault_name_salt_instead_of_naming_the_vaults_with_a_default()
    {
        // An azd older than 1.18 read the parameter file before the preprovision hook set the salt; a default then
        // named a second, empty pair of vaults. Without a default the build stops and names the variable.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => BicepCli.SnapshotAsync(
            ParameterFileBody(),
            new Dictionary<string, string?>
            {
                ["AZURE_ENV_NAME"] = "ci",
                ["VAULT_NAME_SALT"] = null,
                ["ALERT_EMAIL_ADDRESS"] = "ops@example.com",
            }));

        Assert.Contains("VAULT_NAME_SALT", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parameter_file_fails_without_an_alert_address_as_the_preprovision_hook_does()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => BicepCli.SnapshotAsync(
            ParameterFileBody(),
            new Dictionary<string, string?>
            {
                ["AZURE_ENV_NAME"] = "ci",
                ["VAULT_NAME_SALT"] = "salt-one",
                ["ALERT_EMAIL_ADDRESS"] = null,
            }));

        Assert.Contains("ALERT_EMAIL_ADDRESS", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alert_address_may_not_be_empty_in_the_template_either()
    {
        var parameter = (await Scenarios.Arm()).At("parameters", "alertEmailAddress")!;

        Assert.True(parameter["minLength"]?.GetValue<int>() >= 3, "alertEmailAddress must refuse an empty address, as the preprovision hook does.");
        Assert.Null(parameter["defaultValue"]);
    }

    [Fact]
    public async Task Parameter_file_builds_with_only_the_values_the_hook_guarantees()
    {
        // What CI's `bicep build-params` (scripts/bicep.sh) sees: the two required variables, every other one unset.
        var snapshot = await BicepCli.SnapshotAsync(
            ParameterFileBody(),
            new Dictionary<string, string?>
            {
                ["AZURE_ENV_NAME"] = null,
                ["VAULT_NAME_SALT"] = "salt-one",
                ["ALERT_EMAIL_ADDRESS"] = "ops@example.com",
                ["OPERATORS_GROUP_OBJECT_ID"] = null,
                ["OPERATOR_PRINCIPAL_IDS"] = null,
                ["CONSUMER_PRINCIPAL_IDS"] = null,
                ["ENABLE_PURGE_PROTECTION"] = null,
            });

        Assert.Equal(2, snapshot.OfType("Microsoft.KeyVault/vaults").Count());
        Assert.All(snapshot.OfType("Microsoft.KeyVault/vaults"), v => Assert.True(v.At("properties", "enablePurgeProtection")?.GetValue<bool>()));
    }

    private static string ParameterFileBody() =>
        string.Join('\n', File.ReadAllLines(Path.Combine(BicepCli.InfraPath, "main.bicepparam"))
            .Where(l => !l.TrimStart().StartsWith("using ", StringComparison.Ordinal)));
}
