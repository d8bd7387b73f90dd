using System.Diagnostics.Metrics;

namespace TokenRotation.Stores;

/// <summary>
/// Key Vault traffic of this app, in the <c>TokenRotation</c> meter: the number of writes is a measured figure
/// (architecture section 3), because every write is a version that can never be deleted.
/// </summary>
internal sealed class KeyVaultMetrics
{
    public const string MeterName = "TokenRotation";
    public const string VaultTag = "vault";
    public const string StateVault = "state";
    public const string ConsumerVault = "consumer";

    private static readonly Lazy<KeyVaultMetrics> Standalone = new(() => new KeyVaultMetrics(new Meter(MeterName)));

    private readonly Counter<long> _writes;
    private readonly Counter<long> _reads;
    private readonly Counter<long> _propertyUpdates;
    private readonly Counter<long> _listPages;
    private readonly Histogram<double> _limiterWait;

    /// <summary>Instruments on a meter from the app's <see cref="IMeterFactory"/>.</summary>
    public KeyVaultMetrics(IMeterFactory meterFactory)
        : this((meterFactory ?? throw new ArgumentNullException(nameof(meterFactory))).Create(MeterName))
    {
    }

    private KeyVaultMetrics(Meter meter)
    {
        _writes = meter.CreateCounter<long>("keyvault.secret.writes", "{write}", "Secret writes (SetSecret): each one made a new secret version.");
        _reads = meter.CreateCounter<long>("keyvault.secret.reads", "{read}", "Secret values read (GetSecret).");
        _propertyUpdates = meter.CreateCounter<long>("keyvault.secret.property_updates", "{update}", "Tag-only updates (UpdateSecretProperties); no new version.");
        _listPages = meter.CreateCounter<long>("keyvault.secret.list_pages", "{page}", "Pages of secret properties listed.");
        _limiterWait = meter.CreateHistogram<double>("keyvault.write_limiter.wait", "s", "Time a Key Vault write waited for the client-side write budget.");
    }

    /// <summary>Instruments on a process-wide meter, for code built without dependency injection.</summary>
    public static KeyVaultMetrics Shared => Standalone.Value;

    internal void Write(string vault) => _writes.Add(1, new KeyValuePair<string, object?>(VaultTag, vault));

    internal void Read(string vault) => _reads.Add(1, new KeyValuePair<string, object?>(VaultTag, vault));

    internal void PropertyUpdate(string vault) => _propertyUpdates.Add(1, new KeyValuePair<string, object?>(VaultTag, vault));

    internal void ListPage(string vault) => _listPages.Add(1, new KeyValuePair<string, object?>(VaultTag, vault));

    internal void LimiterWait(string vault, TimeSpan waited) => _limiterWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>(VaultTag, vault));
}
