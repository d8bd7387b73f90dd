namespace Testing.Shared;

/// <summary>
/// The Azurite names of one world, unique to it: the connection index table always; with Azurite coordination also
/// the lease container, the work queue and the consent-session, TOTP-step and poisoned-work tables.
/// </summary>
public sealed record WorldStorageNames(string LeaseContainer, string WorkQueue, string ConsentTable, string TotpTable, string PoisonTable, string IndexTable)
{
    /// <summary>Fresh names: containers and queues lowercase with dashes, tables letters and digits only.</summary>
    public static WorldStorageNames Unique() => new(
        Azurite.UniqueName("leases"),
        Azurite.UniqueName("work"),
        TableName("consent"),
        TableName("totp"),
        TableName("poison"),
        TableName("index"));

    /// <summary>A valid table name unique to the caller (letters and digits only).</summary>
    public static string TableName(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return (prefix + Guid.NewGuid().ToString("N"))[..Math.Min(prefix.Length + 32, 63)];
    }
}
