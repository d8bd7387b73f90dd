using System.Text.Json.Nodes;

namespace Infra.Tests;

public sealed class TemplateTests
{
    [Fact]
    public async Task Outputs_name_the_app_its_urls_and_both_vaults_with_descriptions()
    {
        var outputs = (await Scenarios.Arm())["outputs"]!.AsObject();

        string[] expected = ["functionAppName", "functionAppUrl", "oauthCallbackUrl", "stateVaultUri", "consumerVaultUri"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.All(outputs, o =>
        {
            Assert.Equal("string", o.Value.Str("type"));
            Assert.False(string.IsNullOrWhiteSpace(o.Value.At("metadata", "description")?.GetValue<string>()), $"{o.Key} has no description");
        });
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
    public async Task Parameter_file_builds_with_no_environment_set()
    {
        // What CI's `bicep build-params` sees: every readEnvironmentVariable falls back to its default.
        var snapshot = await BicepCli.SnapshotAsync(
            string.Join('\n', (await File.ReadAllLinesAsync(Path.Combine(BicepCli.InfraPath, "main.bicepparam")))
                .Where(l => !l.TrimStart().StartsWith("using ", StringComparison.Ordinal))),
            new Dictionary<string, string?>
            {
                ["AZURE_ENV_NAME"] = null,
                ["VAULT_NAME_SALT"] = null,
                ["ALERT_EMAIL_ADDRESS"] = null,
                ["OPERATORS_GROUP_OBJECT_ID"] = null,
                ["OPERATOR_PRINCIPAL_IDS"] = null,
                ["CONSUMER_PRINCIPAL_IDS"] = null,
                ["ENABLE_PURGE_PROTECTION"] = null,
            });

        Assert.Equal(2, snapshot.OfType("Microsoft.KeyVault/vaults").Count());
        Assert.All(snapshot.OfType("Microsoft.KeyVault/vaults"), v => Assert.True(v.At("properties", "enablePurgeProtection")?.GetValue<bool>()));
    }
}
