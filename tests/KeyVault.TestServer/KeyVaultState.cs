using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace KeyVault.TestServer;

/// <summary>One stored secret version as the test sees it (inspection and seeding bypass HTTP and the counters).</summary>
public sealed record StoredSecret(
    string Name,
    string Version,
    string Value,
    string? ContentType,
    IReadOnlyDictionary<string, string> Tags,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset CreatedOn,
    DateTimeOffset UpdatedOn,
    bool Managed);

/// <summary>The vault's contents. Direct access for seeding and assertions; it does not count as requests.</summary>
public sealed class KeyVaultState
{
    private readonly TimeProvider _time;
    private readonly KeyVaultTestServerOptions _options;

    internal KeyVaultState(KeyVaultTestServerOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
    }

    internal Lock Gate { get; } = new();

    internal Dictionary<string, SecretData> Active { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal Dictionary<string, SecretData> Deleted { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal Dictionary<string, CertificateData> Certificates { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Names of the secrets that are not deleted, sorted.</summary>
    public IReadOnlyList<string> SecretNames
    {
        get
        {
            lock (Gate)
            {
                return Active.Values.Select(s => s.Name).Order(StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }
    }

    /// <summary>Names of soft-deleted secrets, sorted.</summary>
    public IReadOnlyList<string> DeletedSecretNames
    {
        get
        {
            lock (Gate)
            {
                return Deleted.Values.Select(s => s.Name).Order(StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }
    }

    /// <summary>Number of versions of a secret (active or soft-deleted); 0 when the name is unknown.</summary>
    public int VersionCount(string name)
    {
        lock (Gate)
        {
            return Find(name)?.Versions.Count ?? 0;
        }
    }

    /// <summary>Versions per secret name (active and soft-deleted), for printing.</summary>
    public IReadOnlyDictionary<string, int> VersionCounts()
    {
        lock (Gate)
        {
            return Active.Values.Concat(Deleted.Values)
                .ToDictionary(s => s.Name, s => s.Versions.Count, StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>True when the name is soft-deleted (and so blocked until recovered).</summary>
    public bool IsDeleted(string name)
    {
        lock (Gate)
        {
            return Deleted.ContainsKey(name);
        }
    }

    /// <summary>The latest version (or <paramref name="version"/>) of an active secret; null when absent.</summary>
    public StoredSecret? GetSecret(string name, string? version = null)
    {
        lock (Gate)
        {
            if (!Active.TryGetValue(name, out var secret))
            {
                return null;
            }

            var v = version is null ? secret.Latest : secret.Versions.FirstOrDefault(x => x.Version == version);
            return v?.ToStored(secret.Name);
        }
    }

    /// <summary>All versions of a secret (active or soft-deleted), oldest first.</summary>
    public IReadOnlyList<StoredSecret> GetVersions(string name)
    {
        lock (Gate)
        {
            var secret = Find(name);
            return secret is null ? [] : secret.Versions.Select(v => v.ToStored(secret.Name)).ToArray();
        }
    }

    /// <summary>Adds a version without a request (not counted, not throttled). Refuses soft-deleted names.</summary>
    public StoredSecret Seed(string name, string value, string? contentType = null,
        IReadOnlyDictionary<string, string>? tags = null, DateTimeOffset? expiresOn = null, bool enabled = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!KeyVaultNames.IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not a valid Key Vault name.", nameof(name));
        }

        lock (Gate)
        {
            if (Deleted.ContainsKey(name))
            {
                throw new InvalidOperationException($"Secret {name} is soft-deleted.");
            }

            var now = _time.GetUtcNow();
            var version = new SecretVersionData
            {
                Version = NewVersion(),
                Value = value,
                ContentType = contentType,
                Tags = tags is null ? new(StringComparer.Ordinal) : new(tags, StringComparer.Ordinal),
                Enabled = enabled,
                ExpiresOn = expiresOn,
                Created = now,
                Updated = now,
            };
            GetOrAdd(name).Versions.Add(version);
            return version.ToStored(Active[name].Name);
        }
    }

    internal SecretData? Find(string name) =>
        Active.TryGetValue(name, out var s) ? s : Deleted.TryGetValue(name, out s) ? s : null;

    internal SecretData GetOrAdd(string name)
    {
        if (!Active.TryGetValue(name, out var secret))
        {
            secret = new SecretData { Name = name };
            Active[name] = secret;
        }

        return secret;
    }

    internal void PurgeExpired(DateTimeOffset now)
    {
        lock (Gate)
        {
            foreach (var name in Deleted.Where(d => d.Value.ScheduledPurge(_options) <= now).Select(d => d.Key).ToArray())
            {
                Deleted.Remove(name);
            }
        }
    }

    internal static string NewVersion() => Guid.NewGuid().ToString("N");
}

internal sealed class SecretData
{
    public required string Name { get; init; }

    public List<SecretVersionData> Versions { get; } = [];

    public SecretVersionData? Latest => Versions.Count == 0 ? null : Versions[^1];

    public DateTimeOffset? DeletedOn { get; set; }

    public DateTimeOffset ScheduledPurge(KeyVaultTestServerOptions options) =>
        DeletedOn is { } deletedOn ? deletedOn.AddDays(options.SoftDeleteRetentionDays) : DateTimeOffset.MaxValue;

    public bool Managed => Versions.Any(v => v.Managed);
}

internal sealed class SecretVersionData
{
    public required string Version { get; init; }

    public required string Value { get; init; }

    public string? ContentType { get; set; }

    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled { get; set; } = true;

    public DateTimeOffset? NotBefore { get; set; }

    public DateTimeOffset? ExpiresOn { get; set; }

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset Updated { get; set; }

    public bool Managed { get; init; }

    public string? KeyId { get; init; }

    public StoredSecret ToStored(string name) => new(
        name, Version, Value, ContentType, new Dictionary<string, string>(Tags, StringComparer.Ordinal), Enabled,
        NotBefore, ExpiresOn, Created, Updated, Managed);
}

internal sealed class CertificateData
{
    public required string Name { get; init; }

    public List<CertificateVersionData> Versions { get; } = [];

    public CertificateVersionData? Latest => Versions.Count == 0 ? null : Versions[^1];

    public required JsonObject Policy { get; set; }

    public DateTimeOffset PolicyCreated { get; init; }

    public DateTimeOffset PolicyUpdated { get; set; }

    public string RequestId { get; set; } = string.Empty;

    public byte[] Csr { get; set; } = [];
}

internal sealed class CertificateVersionData : IDisposable
{
    public required string Version { get; init; }

    /// <summary>Version of the certificate's key (the last segment of its <c>kid</c>); the certificate's version unless the server gives keys their own.</summary>
    public required string KeyVersion { get; init; }

    /// <summary>Public certificate only (no private key attached).</summary>
    public required X509Certificate2 Certificate { get; init; }

    public required AsymmetricAlgorithm Key { get; init; }

    public required bool Exportable { get; init; }

    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled { get; set; } = true;

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset Updated { get; set; }

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}

internal static class KeyVaultNames
{
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 127 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
