using System.Text.Json;
using TokenRotation.Stores;

namespace TokenRotation.Consent;

/// <summary>
/// Service keys without Azure (the CLI demo, tests): in memory, or in a folder as one JSON file per key holding its
/// versions (oldest first). Same rules as the Key Vault store: the newest version signs, the one before it verifies.
/// The folder holds secrets: it and its files are created owner-only (<see cref="OwnerOnlyFiles"/>).
/// </summary>
internal sealed class LocalServiceKeyStore : IServiceKeyStore
{
    private readonly string? _folder;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, List<StoredVersion>> _memory = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <param name="folder">Where the keys are kept; null keeps them in this process only.</param>
    public LocalServiceKeyStore(string? folder = null, TimeProvider? timeProvider = null)
    {
        _folder = folder is null ? null : Path.GetFullPath(folder);
        _time = timeProvider ?? TimeProvider.System;
    }

    public Task<ServiceKeyRing> GetAsync(string keyName, bool refresh = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        lock (_gate)
        {
            var versions = Load(keyName);
            if (versions.Count == 0)
            {
                versions.Add(NewVersion());
                Save(keyName, versions);
            }

            return Task.FromResult(Ring(keyName, versions));
        }
    }

    public Task<ServiceKeyRing> RotateAsync(string keyName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        lock (_gate)
        {
            var versions = Load(keyName);
            versions.Add(NewVersion());
            Save(keyName, versions);
            return Task.FromResult(Ring(keyName, versions));
        }
    }

    private static ServiceKeyRing Ring(string keyName, List<StoredVersion> versions) =>
        new(keyName, versions.AsEnumerable().Reverse().Take(2).Select(v => new ServiceKey(v.Version, Convert.FromBase64String(v.Key))).ToList());

    private StoredVersion NewVersion() =>
        new(Guid.NewGuid().ToString("N"), _time.GetUtcNow(), Convert.ToBase64String(ServiceKeyNames.NewKey()));

    private List<StoredVersion> Load(string keyName)
    {
        if (_folder is null)
        {
            return _memory.TryGetValue(keyName, out var held) ? held : _memory[keyName] = [];
        }

        var path = PathOf(keyName);
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<StoredVersion>>(File.ReadAllText(path)) ?? [];
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The service key file {path} is not valid; delete it to make a new key (links and consents in progress then stop working).", ex);
        }
    }

    private void Save(string keyName, List<StoredVersion> versions)
    {
        if (_folder is null)
        {
            _memory[keyName] = versions;
            return;
        }

        OwnerOnlyFiles.CreateFolder(_folder);
        OwnerOnlyFiles.WriteAllText(PathOf(keyName), JsonSerializer.Serialize(versions));
    }

    private string PathOf(string keyName) => Path.Combine(_folder!, keyName + ".json");

    private sealed record StoredVersion(string Version, DateTimeOffset CreatedAt, string Key);
}
