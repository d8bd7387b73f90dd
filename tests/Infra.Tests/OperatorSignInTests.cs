namespace Infra.Tests;

/// <summary>The status page and operator API take Entra ID tokens: the app gets the app registration from its settings.</summary>
public sealed class OperatorSignInTests
{
    [Fact]
    public async Task App_settings_name_the_operator_api_app_registration_and_its_tenant()
    {
        var arm = await Scenarios.Arm();
        var parameters = arm["parameters"]!.AsObject();
        var settings = (await Scenarios.Complete()).AppSettings;

        Assert.Equal("", parameters["operatorApiClientId"]!.At("defaultValue")!.GetValue<string>());
        Assert.Equal("[tenant().tenantId]", parameters["operatorApiTenantId"]!.At("defaultValue")!.GetValue<string>());
        Assert.Equal("", settings["OperatorAuth__ClientId"]);
        Assert.Equal(BicepCli.TenantId, settings["OperatorAuth__TenantId"]);
    }

    [Fact]
    public async Task No_app_service_authentication_is_configured_since_flex_consumption_does_not_enforce_it()
    {
        var snapshot = await Scenarios.Complete();

        Assert.DoesNotContain(snapshot.OfType("Microsoft.Web/sites/config"), c => c.Str("name").EndsWith("/authsettingsV2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_parameter_file_reads_the_client_id_from_the_azd_environment()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(BicepCli.InfraPath, "main.bicepparam"));

        Assert.Contains("param operatorApiClientId = readEnvironmentVariable('OPERATOR_API_CLIENT_ID', '')", text, StringComparison.Ordinal);
    }
}
