namespace Infra.Tests;

public sealed class FunctionAppTests
{
    [Fact]
    public async Task Function_app_runs_dotnet_isolated_10_on_flex_consumption()
    {
        var snapshot = await Scenarios.Complete();

        var plan = snapshot.SingleOfType("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan.At("sku", "name")?.GetValue<string>());
        Assert.Equal("FlexConsumption", plan.At("sku", "tier")?.GetValue<string>());
        Assert.True(plan.At("properties", "reserved")?.GetValue<bool>(), "Flex Consumption is Linux: reserved must be true.");

        var site = snapshot.Site;
        Assert.Equal("functionapp,linux", site.Str("kind"));
        Assert.Equal(plan.Str("id"), site.At("properties", "serverFarmId")?.GetValue<string>());
        var runtime = site.At("properties", "functionAppConfig", "runtime");
        Assert.Equal("dotnet-isolated", runtime.Str("name"));
        Assert.Equal("10.0", runtime.Str("version"));
    }

    [Fact]
    public async Task Function_app_runs_as_the_user_assigned_identity_and_deploys_from_blob_with_it()
    {
        var snapshot = await Scenarios.Complete();
        var site = snapshot.Site;
        var identityId = snapshot.Identity.Str("id");

        Assert.Equal("UserAssigned", site.At("identity", "type")?.GetValue<string>());
        var assigned = site.At("identity", "userAssignedIdentities")!.AsObject();
        Assert.Equal([identityId], assigned.Select(p => p.Key));

        var storage = site.At("properties", "functionAppConfig", "deployment", "storage");
        Assert.Equal("blobContainer", storage.Str("type"));
        Assert.Contains("primaryEndpoints.blob", storage.Str("value"), StringComparison.Ordinal);
        Assert.Contains("'app-package'", storage.Str("value"), StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", storage.At("authentication").Str("type"));
        Assert.Equal(identityId, storage.At("authentication").Str("userAssignedIdentityResourceId"));

        var containers = snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => c.Str("name")).ToList();
        Assert.Contains(containers, n => n.EndsWith("/app-package", StringComparison.Ordinal));
    }

    // Site properties the Flex Consumption plan does not accept (its "deprecations" table in the Functions app
    // settings reference); newer stamps refuse a site that sends any of them.
    private static readonly string[] RejectedSiteProperties =
    [
        "alwaysOn", "containerSize", "ftpsState", "isReserved", "IsXenon", "javaVersion", "linuxFxVersion",
        "netFrameworkVersion", "powerShellVersion", "functionAppScaleLimit", "preWarmedInstanceCount",
        "use32BitWorkerProcess", "windowsFxVersion",
    ];

    [Fact]
    public async Task Function_app_is_https_only_with_tls_1_2_and_sends_no_site_property_flex_rejects()
    {
        var site = (await Scenarios.Complete()).Site;

        Assert.True(site.At("properties", "httpsOnly")?.GetValue<bool>());
        Assert.Equal("1.2", site.At("properties", "siteConfig", "minTlsVersion")?.GetValue<string>());

        // The site config carries only what Microsoft's Flex samples send; FTP is off through the publishing policy below.
        var siteConfig = site.At("properties", "siteConfig")!.AsObject();
        Assert.Equal(["minTlsVersion"], siteConfig.Select(p => p.Key));
        var sent = site["properties"]!.AsObject().Select(p => p.Key).Concat(siteConfig.Select(p => p.Key)).ToList();
        var rejected = sent.Where(k => RejectedSiteProperties.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.True(rejected.Count == 0, $"Flex Consumption rejects: {string.Join(", ", rejected)}");
    }

    [Fact]
    public async Task Instance_maximum_is_at_least_the_flex_minimum_of_40_by_default_and_by_constraint()
    {
        var site = (await Scenarios.Defaults()).Site;
        var parameter = (await Scenarios.Arm()).At("parameters", "maximumInstanceCount")!;

        Assert.True(site.At("properties", "functionAppConfig", "scaleAndConcurrency", "maximumInstanceCount")!.GetValue<int>() >= 40);
        Assert.True(parameter["minValue"]!.GetValue<int>() >= 40, "maximumInstanceCount must refuse values Flex rejects (below 40).");
        Assert.True(parameter["defaultValue"]!.GetValue<int>() >= 40);
    }

    [Fact]
    public async Task Instance_maximum_below_40_is_refused_before_anything_is_deployed()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => BicepCli.SnapshotAsync(
            """
            param environmentName = 'ci'
            param vaultNameSalt = 'salt-one'
            param alertEmailAddress = 'ops@example.com'
            param maximumInstanceCount = 10
            """));

        Assert.Contains("minimum allowable value is 40", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_publishing_credentials_are_off_for_ftp_and_scm()
    {
        var snapshot = await Scenarios.Complete();
        var site = snapshot.Site.Str("name");

        var policies = snapshot.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies")
            .ToDictionary(p => p.Str("name"), p => p.At("properties", "allow")?.GetValue<bool>());

        Assert.Equal(2, policies.Count);
        Assert.False(policies[$"{site}/ftp"]);
        Assert.False(policies[$"{site}/scm"]);
    }

    [Fact]
    public async Task Function_app_carries_the_azd_service_tag_of_azure_yaml()
    {
        var site = (await Scenarios.Complete()).Site;
        var azureYaml = await File.ReadAllTextAsync(Path.Combine(BicepCli.RepositoryPath, "azure.yaml"));

        var serviceName = site.At("tags", "azd-service-name")?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(serviceName));
        Assert.Contains($"\n  {serviceName}:\n    project: ./src/TokenRotation.Functions\n", azureYaml.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
