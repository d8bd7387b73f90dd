using System.Text.Json.Nodes;

namespace Infra.Tests;

public sealed class RoleAssignmentTests
{
    private const string SecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    private const string CertificatesOfficer = "a4417e6f-fecd-4de8-b567-7b0420556985";
    private const string CryptoUser = "12338af0-0e69-4776-bea7-57ae8d297424";
    private const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string App = "app";

    private static readonly Dictionary<string, string> RoleNames = new()
    {
        [SecretsOfficer] = "Key Vault Secrets Officer",
        [CertificatesOfficer] = "Key Vault Certificates Officer",
        [CryptoUser] = "Key Vault Crypto User",
        [SecretsUser] = "Key Vault Secrets User",
        [BlobDataOwner] = "Storage Blob Data Owner",
        [BlobDataContributor] = "Storage Blob Data Contributor",
        [QueueDataContributor] = "Storage Queue Data Contributor",
        [TableDataContributor] = "Storage Table Data Contributor",
        [MetricsPublisher] = "Monitoring Metrics Publisher",
    };

    [Fact]
    public async Task Role_assignments_are_exactly_the_least_privilege_set()
    {
        var actual = Describe(await Scenarios.Complete());

        string[] expected =
        [
            Row("state vault", SecretsOfficer, App, "ServicePrincipal"),
            Row("state vault", CertificatesOfficer, App, "ServicePrincipal"),
            Row("state vault", CryptoUser, App, "ServicePrincipal"),
            Row("state vault", SecretsOfficer, Scenarios.OperatorsGroup, "Group"),
            Row("state vault", CertificatesOfficer, Scenarios.OperatorsGroup, "Group"),
            Row("state vault", CryptoUser, Scenarios.OperatorsGroup, "Group"),
            Row("consumer vault", SecretsOfficer, App, "ServicePrincipal"),
            Row("consumer vault", SecretsOfficer, Scenarios.OperatorsGroup, "Group"),
            Row("lease container", BlobDataContributor, Scenarios.OperatorsGroup, "Group"),
            Row("storage account", TableDataContributor, Scenarios.OperatorsGroup, "Group"),
            Row("consumer vault", SecretsUser, Scenarios.ConsumerA, "ServicePrincipal"),
            Row("consumer vault", SecretsUser, Scenarios.ConsumerB, "ServicePrincipal"),
            Row("storage account", BlobDataOwner, App, "ServicePrincipal"),
            Row("storage account", QueueDataContributor, App, "ServicePrincipal"),
            Row("storage account", TableDataContributor, App, "ServicePrincipal"),
            Row("application insights", MetricsPublisher, App, "ServicePrincipal"),
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Operators_group_can_reach_everything_nstoken_touches_in_azure()
    {
        // nstoken composes the same stores as the app: state vault (connection state, service keys, certificates,
        // remote signing), consumer vault (publishing after refresh, rotate, rollback, delete), blob leases in the
        // lease container, and TOTP steps in the TOTP table (NLAuth logins of a TBA rotation).
        var rows = Describe(await Scenarios.Complete()).Where(r => r.Contains(Scenarios.OperatorsGroup, StringComparison.Ordinal)).ToList();

        Assert.Contains(Row("consumer vault", SecretsOfficer, Scenarios.OperatorsGroup, "Group"), rows);
        Assert.Contains(Row("lease container", BlobDataContributor, Scenarios.OperatorsGroup, "Group"), rows);
        Assert.Contains(Row("storage account", TableDataContributor, Scenarios.OperatorsGroup, "Group"), rows);

        // Not the whole account's blobs: whoever can write the deployment package runs code as the app.
        Assert.DoesNotContain(rows, r => r.StartsWith("storage account: Storage Blob", StringComparison.Ordinal));
        // nstoken never touches the work queue (only the app's sweeps do).
        Assert.DoesNotContain(rows, r => r.Contains("Queue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Parameter_file_turns_comma_separated_ids_into_the_same_assignments()
    {
        var fromFile = Describe(await Scenarios.FromParameterFile());
        var direct = Describe(await Scenarios.Complete());

        Assert.Equal(direct.Order(StringComparer.Ordinal), fromFile.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Operators_and_consumers_get_nothing_when_none_are_given()
    {
        var actual = Describe(await Scenarios.Defaults());

        Assert.Equal(8, actual.Count);
        Assert.All(actual, row => Assert.Contains($" -> {App} ", row, StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_role_assignment_is_at_subscription_or_resource_group_scope()
    {
        var snapshot = await Scenarios.Complete();
        var assignments = snapshot.OfType("Microsoft.Authorization/roleAssignments").ToList();
        var subscriptionScope = $"/subscriptions/{BicepCli.SubscriptionId}";
        var groupScope = $"{subscriptionScope}/resourceGroups/{BicepCli.ResourceGroup}";

        Assert.NotEmpty(assignments);
        Assert.All(assignments, assignment =>
        {
            var scope = Snapshot.ScopeOf(assignment);
            Assert.NotEqual(subscriptionScope, scope, StringComparer.OrdinalIgnoreCase);
            Assert.NotEqual(groupScope, scope, StringComparer.OrdinalIgnoreCase);
            Assert.Contains(snapshot.Resources, r => r.Str("id") == scope);
        });

        // The template itself deploys only into its resource group.
        var arm = await Scenarios.Arm();
        Assert.Contains("/deploymentTemplate.json#", arm.Str("$schema"), StringComparison.Ordinal);
        Assert.DoesNotContain("subscriptionId", NestedDeploymentKeys(arm));
        Assert.DoesNotContain("scope", NestedDeploymentKeys(arm));
    }

    [Fact]
    public async Task Role_assignment_names_are_guid_of_scope_principal_and_role()
    {
        var assignments = (await Scenarios.Complete()).OfType("Microsoft.Authorization/roleAssignments").ToList();

        Assert.All(assignments, assignment =>
        {
            var scope = Snapshot.ScopeOf(assignment);
            var principal = assignment.At("properties").Str("principalId");
            var role = assignment.At("properties").Str("roleDefinitionId");
            var name = assignment.Str("name");
            if (principal.StartsWith('['))
            {
                // Known only at deployment: the expression must hash the same three values.
                Assert.Equal($"[guid('{scope}', {principal[1..^1]}, '{role}')]", name);
            }
            else
            {
                Assert.Equal(ArmGuid.Compute(scope, principal, role).ToString(), name);
            }
        });
    }

    [Fact]
    public void Arm_guid_reproduces_the_template_function()
    {
        // guid('a', 'b') as ARM evaluates it; a wrong namespace or byte order gives another value.
        var value = ArmGuid.Compute(
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kvst-w4ztpmiksrt4k",
            "11111111-1111-1111-1111-111111111111",
            "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7");
        Assert.Equal("a5a3191b-527b-5909-a4d1-2d144f0b1900", value.ToString());
    }

    [Fact]
    public async Task Every_role_assignment_states_its_principal_type_and_reason()
    {
        var assignments = (await Scenarios.Complete()).OfType("Microsoft.Authorization/roleAssignments").ToList();

        Assert.All(assignments, assignment =>
        {
            Assert.Contains(assignment.At("properties").Str("principalType"), new[] { "ServicePrincipal", "Group", "User" });
            Assert.False(string.IsNullOrWhiteSpace(assignment.At("properties").Str("description")));
        });
    }

    [Fact]
    public async Task Main_bicep_names_each_role_beside_its_guid()
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(BicepCli.InfraPath, "main.bicep"));

        foreach (var (id, name) in RoleNames)
        {
            var line = Assert.Single(lines, l => l.Contains(id, StringComparison.Ordinal));
            Assert.EndsWith($"// {name}", line.TrimEnd(), StringComparison.Ordinal);
        }
    }

    private static List<string> Describe(Snapshot snapshot)
    {
        var identityId = snapshot.Identity.Str("id");
        var scopes = new Dictionary<string, string>
        {
            [snapshot.StateVault.Str("id")] = "state vault",
            [snapshot.ConsumerVault.Str("id")] = "consumer vault",
            [snapshot.SingleOfType("Microsoft.Storage/storageAccounts").Str("id")] = "storage account",
            [snapshot.ByName("Microsoft.Storage/storageAccounts/blobServices/containers", n => n.EndsWith("/nstoken-leases", StringComparison.Ordinal)).Str("id")] = "lease container",
            [snapshot.SingleOfType("Microsoft.Insights/components").Str("id")] = "application insights",
        };

        return snapshot.OfType("Microsoft.Authorization/roleAssignments").Select(assignment =>
        {
            var scope = Snapshot.ScopeOf(assignment);
            Assert.True(scopes.ContainsKey(scope), $"Role assignment at an unexpected scope: {scope}");
            var properties = assignment.At("properties");
            var role = properties.Str("roleDefinitionId");
            var prefix = $"/subscriptions/{BicepCli.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/";
            Assert.StartsWith(prefix, role, StringComparison.Ordinal);
            var principal = properties.Str("principalId");
            var who = Snapshot.IsReferenceTo(principal, identityId, "principalId") ? App : principal;
            return Row(scopes[scope], role[prefix.Length..], who, properties.Str("principalType"));
        }).ToList();
    }

    private static string Row(string scope, string roleId, string principal, string principalType) =>
        $"{scope}: {RoleNames.GetValueOrDefault(roleId, roleId)} -> {principal} ({principalType})";

    // Property names of the nested deployments (symbolic-name templates keep resources in an object, others in an array).
    private static List<string> NestedDeploymentKeys(JsonObject template)
    {
        var resources = template["resources"] switch
        {
            JsonObject byName => byName.Select(p => p.Value),
            JsonArray list => list,
            _ => [],
        };
        return resources
            .Where(r => r?["type"]?.GetValue<string>() == "Microsoft.Resources/deployments")
            .SelectMany(r => r!.AsObject().Select(p => p.Key))
            .ToList();
    }
}
