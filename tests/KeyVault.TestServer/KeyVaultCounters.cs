using System.Collections.Concurrent;

namespace KeyVault.TestServer;

/// <summary>
/// Request counters. The named totals (<see cref="Reads"/>, <see cref="Writes"/>, ...) count requests that were
/// processed and answered 2xx; throttled, challenged and fault-injected requests are counted separately.
/// </summary>
public sealed class KeyVaultCounters
{
    private readonly ConcurrentDictionary<(KeyVaultOperation Operation, string Name, bool Succeeded), long> _byOperation = new();
    private long _totalRequests;
    private long _challenges;
    private long _throttledReads;
    private long _throttledWrites;
    private long _injectedFaults;

    /// <summary>Every HTTP request that reached the server, whatever its outcome.</summary>
    public long TotalRequests => Interlocked.Read(ref _totalRequests);

    /// <summary>Requests answered with the 401 bearer challenge.</summary>
    public long Challenges => Interlocked.Read(ref _challenges);

    /// <summary>Successful secret reads (get latest or a version); list pages are not reads.</summary>
    public long Reads => Count(KeyVaultOperation.GetSecret);

    /// <summary>List pages served (secrets, versions, deleted secrets, certificates).</summary>
    public long ListPages => Count(KeyVaultOperation.ListSecrets) + Count(KeyVaultOperation.ListSecretVersions)
        + Count(KeyVaultOperation.ListDeletedSecrets) + Count(KeyVaultOperation.ListCertificates)
        + Count(KeyVaultOperation.ListCertificateVersions);

    /// <summary>Successful <c>SetSecret</c> calls: each one made a new version.</summary>
    public long Writes => Count(KeyVaultOperation.SetSecret);

    /// <summary>Successful <c>UpdateSecretProperties</c> calls (no new version).</summary>
    public long PropertyUpdates => Count(KeyVaultOperation.UpdateSecretProperties);

    /// <summary>Successful soft deletes.</summary>
    public long Deletes => Count(KeyVaultOperation.DeleteSecret);

    /// <summary>Successful recoveries of deleted secrets.</summary>
    public long Recovers => Count(KeyVaultOperation.RecoverDeletedSecret);

    /// <summary>Successful purges.</summary>
    public long Purges => Count(KeyVaultOperation.PurgeDeletedSecret);

    /// <summary>Successful certificate creations (each made a certificate, key and secret version).</summary>
    public long CertificateCreates => Count(KeyVaultOperation.CreateCertificate);

    /// <summary>Successful key sign operations.</summary>
    public long Signs => Count(KeyVaultOperation.Sign);

    /// <summary>Requests answered 429 because the read budget was spent.</summary>
    public long ThrottledReads => Interlocked.Read(ref _throttledReads);

    /// <summary>Requests answered 429 because the write budget was spent.</summary>
    public long ThrottledWrites => Interlocked.Read(ref _throttledWrites);

    /// <summary>All 429 answers.</summary>
    public long Throttled => ThrottledReads + ThrottledWrites;

    /// <summary>Requests hit by an injected fault.</summary>
    public long InjectedFaults => Interlocked.Read(ref _injectedFaults);

    /// <summary>Processed requests of one operation, optionally for one secret (or certificate, key) name.</summary>
    public long Count(KeyVaultOperation operation, string? name = null, bool includeFailures = false)
    {
        long total = 0;
        foreach (var entry in _byOperation)
        {
            if (entry.Key.Operation != operation || (!entry.Key.Succeeded && !includeFailures))
            {
                continue;
            }

            if (name is null || string.Equals(entry.Key.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                total += entry.Value;
            }
        }

        return total;
    }

    /// <summary>Processed requests of one operation that did not succeed (4xx/5xx answered by the handler).</summary>
    public long CountFailures(KeyVaultOperation operation, string? name = null) =>
        Count(operation, name, includeFailures: true) - Count(operation, name);

    /// <summary>Counters for one secret name.</summary>
    public SecretCounters ForSecret(string name) => new(
        Reads: Count(KeyVaultOperation.GetSecret, name),
        Writes: Count(KeyVaultOperation.SetSecret, name),
        PropertyUpdates: Count(KeyVaultOperation.UpdateSecretProperties, name),
        Deletes: Count(KeyVaultOperation.DeleteSecret, name),
        Recovers: Count(KeyVaultOperation.RecoverDeletedSecret, name),
        VersionListPages: Count(KeyVaultOperation.ListSecretVersions, name));

    /// <summary>A copy of the totals, for printing or comparing before and after.</summary>
    public KeyVaultCounterSnapshot Snapshot() => new(
        TotalRequests, Challenges, Reads, ListPages, Writes, PropertyUpdates, Deletes, Recovers, Purges,
        CertificateCreates, Signs, ThrottledReads, ThrottledWrites, InjectedFaults);

    /// <summary>Sets every counter back to zero.</summary>
    public void Reset()
    {
        _byOperation.Clear();
        Interlocked.Exchange(ref _totalRequests, 0);
        Interlocked.Exchange(ref _challenges, 0);
        Interlocked.Exchange(ref _throttledReads, 0);
        Interlocked.Exchange(ref _throttledWrites, 0);
        Interlocked.Exchange(ref _injectedFaults, 0);
    }

    internal void RecordRequest() => Interlocked.Increment(ref _totalRequests);

    internal void RecordChallenge() => Interlocked.Increment(ref _challenges);

    internal void RecordFault() => Interlocked.Increment(ref _injectedFaults);

    internal void RecordThrottled(KeyVaultBudget budget)
    {
        if (budget == KeyVaultBudget.Write)
        {
            Interlocked.Increment(ref _throttledWrites);
        }
        else
        {
            Interlocked.Increment(ref _throttledReads);
        }
    }

    internal void RecordProcessed(KeyVaultOperation operation, string? name, int statusCode) =>
        _byOperation.AddOrUpdate((operation, name?.ToLowerInvariant() ?? string.Empty, statusCode is >= 200 and < 300), 1, (_, n) => n + 1);
}

/// <summary>Counters of one secret name.</summary>
public sealed record SecretCounters(long Reads, long Writes, long PropertyUpdates, long Deletes, long Recovers, long VersionListPages);

/// <summary>A copy of the server totals.</summary>
public sealed record KeyVaultCounterSnapshot(
    long TotalRequests,
    long Challenges,
    long Reads,
    long ListPages,
    long Writes,
    long PropertyUpdates,
    long Deletes,
    long Recovers,
    long Purges,
    long CertificateCreates,
    long Signs,
    long ThrottledReads,
    long ThrottledWrites,
    long InjectedFaults);

/// <summary>What happened to one request.</summary>
public enum KeyVaultRequestOutcome
{
    /// <summary>Processed by the Key Vault handler (any status, including 404 or 400).</summary>
    Processed,
    /// <summary>Answered 401 with the bearer challenge.</summary>
    Challenged,
    /// <summary>Answered 429.</summary>
    Throttled,
    /// <summary>Hit by an injected fault (answered with the fault's status, or the connection was aborted).</summary>
    FaultInjected,
}

/// <summary>One request as the server saw it. The path never carries secret values.</summary>
public sealed record KeyVaultRequestRecord(
    DateTimeOffset Timestamp,
    string Method,
    string Path,
    KeyVaultOperation Operation,
    string? Name,
    int StatusCode,
    KeyVaultRequestOutcome Outcome);
