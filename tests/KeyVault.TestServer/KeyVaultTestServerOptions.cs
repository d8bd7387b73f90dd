namespace KeyVault.TestServer;

/// <summary>Settings of one Key Vault test server (one vault).</summary>
public sealed class KeyVaultTestServerOptions
{
    /// <summary>Clock for throttle windows, timestamps, soft-delete retention. Tests pass a FakeTimeProvider.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Tenant named in the bearer challenge (<c>authorization="https://login.microsoftonline.com/{TenantId}"</c>).</summary>
    public string TenantId { get; set; } = "72f988bf-0000-4000-8000-00000000c0de";

    /// <summary>Resource named in the bearer challenge; the SDK asks its credential for <c>{Resource}/.default</c>.</summary>
    public string Resource { get; set; } = "https://vault.azure.net";

    /// <summary>Read and list transactions allowed per <see cref="ThrottleWindow"/> (Key Vault: about 4,000 per 10 s).</summary>
    public int ReadBudget { get; set; } = 4000;

    /// <summary>Writes (set, update, delete, recover, purge, certificate create) allowed per <see cref="ThrottleWindow"/> (Key Vault: 300 per 10 s).</summary>
    public int WriteBudget { get; set; } = 300;

    /// <summary>Length of one throttle window, measured on <see cref="TimeProvider"/>.</summary>
    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Value of the <c>retry-after-ms</c> header on a 429. Azure.Core prefers it over <c>Retry-After</c>, so a short
    /// value keeps tests from sleeping for seconds. Null sends the true time left in the window instead.
    /// </summary>
    public int? RetryAfterMilliseconds { get; set; } = 20;

    /// <summary>Items per list page when the request has no <c>maxresults</c> (Key Vault: 25, also the maximum).</summary>
    public int PageSize { get; set; } = 25;

    /// <summary>Largest secret value in UTF-8 bytes (Key Vault: 25 KB).</summary>
    public int MaxValueBytes { get; set; } = 25 * 1024;

    /// <summary>Purge protection (default on, as the design requires): purging a deleted secret is refused with 403.</summary>
    public bool PurgeProtection { get; set; } = true;

    /// <summary>Days a deleted secret stays recoverable before the server purges it on its own.</summary>
    public int SoftDeleteRetentionDays { get; set; } = 90;

    /// <summary>
    /// Give each certificate version's key a version id of its own, different from the certificate's version (Azure
    /// uses the same id for both; other implementations need not). The certificate's <c>kid</c> names the key version.
    /// </summary>
    public bool SeparateKeyVersions { get; set; }

    /// <summary>Keep a log of every request (<see cref="KeyVaultTestServer.Requests"/>).</summary>
    public bool RecordRequests { get; set; } = true;
}
