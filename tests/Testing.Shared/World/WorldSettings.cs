using NetSuite.Simulator;
using TokenRotation.Configuration;

namespace Testing.Shared;

/// <summary>
/// The configuration every world gives the engine, written once: the public base URL, both vaults, the storage
/// account (the connection index table lives there), and every NetSuite URL template pointed at the simulator.
/// </summary>
public static class WorldSettings
{
    /// <summary>The settings for a world whose simulator runs in this process.</summary>
    public static Dictionary<string, string?> Engine(string publicBaseUrl, Uri stateVault, Uri consumerVault, string storageConnectionString, string indexTable, NetSuiteSimulator simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var settings = Engine(publicBaseUrl, stateVault, consumerVault, storageConnectionString, indexTable, simulator.SuiteTalkTemplate, simulator.RestletsTemplate, simulator.AppTemplate);
        // A consent without an account starts at the generic authorize page and asks datacenterurls where to go.
        settings["NetSuite:GenericAuthorizeUrl"] = simulator.GenericAuthorizeUrl;
        settings["NetSuite:DataCenterUrlsUrl"] = simulator.DataCenterUrlsUrl;
        return settings;
    }

    /// <summary>The settings for a world whose simulator is reached through these URL templates (the bench's child process).</summary>
    public static Dictionary<string, string?> Engine(
        string publicBaseUrl, Uri stateVault, Uri consumerVault, string storageConnectionString, string indexTable,
        string suiteTalkTemplate, string restletsTemplate, string appTemplate)
    {
        ArgumentNullException.ThrowIfNull(stateVault);
        ArgumentNullException.ThrowIfNull(consumerVault);
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["TokenRotation:PublicBaseUrl"] = publicBaseUrl,
            ["KeyVault:StateVaultUri"] = stateVault.ToString(),
            ["KeyVault:ConsumerVaultUri"] = consumerVault.ToString(),
            // The connection index and the intent markers live in Table storage (architecture section 13).
            ["Storage:ConnectionString"] = storageConnectionString,
            ["Coordination:IndexTable"] = indexTable,
            ["NetSuite:SuiteTalkUrlTemplate"] = suiteTalkTemplate,
            ["NetSuite:RestletsUrlTemplate"] = restletsTemplate,
            ["NetSuite:AppUrlTemplate"] = appTemplate,
        };
    }

    /// <summary>The settings that put leases, the work queue and the coordination tables on Azurite under <paramref name="names"/>.</summary>
    public static Dictionary<string, string?> AzuriteCoordination(WorldStorageNames names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Storage:LeaseContainer"] = names.LeaseContainer,
            [StorageOptions.WorkQueueSetting] = names.WorkQueue,
            ["Coordination:ConsentTable"] = names.ConsentTable,
            ["Coordination:TotpTable"] = names.TotpTable,
        };
    }
}
