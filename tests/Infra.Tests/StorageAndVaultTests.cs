using System.Text.RegularExpressions;

namespace Infra.Tests;

public sealed partial class StorageAndVaultTests
{
    [Fact]
    public async Task Storage_account_refuses_shared_keys_public_blobs_and_old_tls()
    {
        var properties = (await Scenarios.Complete()).SingleOfType("Microsoft.Storage/storageAccounts").At("properties");

        Assert.False(properties.At("allowSharedKeyAccess")?.GetValue<bool>());
        Assert.False(properties.At("allowBlobPublicAccess")?.GetValue<bool>());
        Assert.Equal("TLS1_2", properties.At("minimumTlsVersion")?.GetValue<string>());
        Assert.True(properties.At("supportsHttpsTrafficOnly")?.GetValue<bool>());
    }

    [Fact]
    public async Task Storage_has_the_lease_container_and_work_queue_the_settings_name()
    {
        var snapshot = await Scenarios.Complete();
        var settings = snapshot.AppSettings;

        var containers = snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => c.Str("name").Split('/')[^1]);
        var queues = snapshot.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => q.Str("name").Split('/')[^1]);
        Assert.Contains(settings["Storage__LeaseContainer"], containers);
        Assert.Contains(settings["WorkQueueName"], queues);
    }

    [Fact]
    public async Task Vaults_carry_the_environment_kind_and_salt_tags_the_preprovision_hook_checks()
    {
        var snapshot = await Scenarios.Complete();

        foreach (var (vault, kind) in new[] { (snapshot.StateVault, "state"), (snapshot.ConsumerVault, "consumer") })
        {
            Assert.Equal("ci", vault.At("tags", "azd-env-name")?.GetValue<string>());
            Assert.Equal(kind, vault.At("tags", "nstoken-vault")?.GetValue<string>());
            Assert.Equal("salt-one", vault.At("tags", "nstoken-vault-salt")?.GetValue<string>());
        }

        var hook = File.ReadAllText(Path.Combine(BicepCli.RepositoryPath, "scripts", "azd-hooks", "preprovision.sh"));
        Assert.Contains("tags.\\\"nstoken-vault-salt\\\"", hook, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_vaults_use_rbac_soft_delete_and_purge_protection_by_default()
    {
        var snapshot = await Scenarios.Defaults();
        var vaults = snapshot.OfType("Microsoft.KeyVault/vaults").ToList();

        Assert.Equal(2, vaults.Count);
        Assert.All(vaults, vault =>
        {
            var properties = vault.At("properties");
            Assert.True(properties.At("enableRbacAuthorization")?.GetValue<bool>(), $"{vault.Str("name")}: RBAC authorization");
            Assert.True(properties.At("enableSoftDelete")?.GetValue<bool>(), $"{vault.Str("name")}: soft delete");
            Assert.True(properties.At("enablePurgeProtection")?.GetValue<bool>(), $"{vault.Str("name")}: purge protection");
            Assert.Null(properties.At("accessPolicies"));
        });
    }

    [Fact]
    public async Task Purge_protection_turned_off_is_emitted_as_null_because_arm_rejects_false()
    {
        var vaults = (await Scenarios.PurgeProtectionOff()).OfType("Microsoft.KeyVault/vaults").ToList();

        Assert.Equal(2, vaults.Count);
        Assert.All(vaults, vault =>
        {
            var properties = vault.At("properties")!.AsObject();
            Assert.True(!properties.ContainsKey("enablePurgeProtection") || properties["enablePurgeProtection"] is null,
                $"{vault.Str("name")}: enablePurgeProtection must be absent or null, was {properties["enablePurgeProtection"]?.ToJsonString()}");
            Assert.True(properties["enableRbacAuthorization"]?.GetValue<bool>());
        });
    }

    [Fact]
    public async Task Vault_names_follow_the_salt_and_nothing_else_changes()
    {
        var first = await Scenarios.Complete();
        var again = await Scenarios.FromParameterFile();
        var resalted = await Scenarios.CompleteWithAnotherSalt();

        static string[] VaultNames(Snapshot s) => [s.StateVault.Str("name"), s.ConsumerVault.Str("name")];

        // Same salt: the same vaults are reused by every deploy.
        Assert.Equal(VaultNames(first), VaultNames(again));

        // A new salt (after azd down): new names, so a soft-deleted vault does not block the deployment.
        Assert.Empty(VaultNames(first).Intersect(VaultNames(resalted)));
        Assert.Equal(first.Site.Str("name"), resalted.Site.Str("name"));
        Assert.Equal(first.SingleOfType("Microsoft.Storage/storageAccounts").Str("name"), resalted.SingleOfType("Microsoft.Storage/storageAccounts").Str("name"));

        Assert.All(VaultNames(first).Concat(VaultNames(resalted)), name => Assert.Matches(KeyVaultName(), name));
    }

    [Fact]
    public async Task Both_vaults_send_audit_events_to_the_log_analytics_workspace()
    {
        var snapshot = await Scenarios.Complete();
        var workspaceId = snapshot.SingleOfType("Microsoft.OperationalInsights/workspaces").Str("id");
        var settings = snapshot.OfType("Microsoft.Insights/diagnosticSettings").ToList();

        foreach (var vault in new[] { snapshot.StateVault, snapshot.ConsumerVault })
        {
            var setting = Assert.Single(settings, s => Snapshot.ScopeOf(s) == vault.Str("id"));
            Assert.Equal(workspaceId, setting.At("properties", "workspaceId")?.GetValue<string>());
            var logs = setting.At("properties", "logs")!.AsArray();
            Assert.Contains(logs, l => l.Str("category") == "AuditEvent" && l?["enabled"]?.GetValue<bool>() == true);
        }
    }

    // Key Vault names: 3-24 characters, letters, digits and hyphens, starting with a letter, no "--", not ending with "-".
    [GeneratedRegex("^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")]
    private static partial Regex KeyVaultName();
}
