using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace TokenRotation.Stores;

/// <summary>
/// A local stand-in for one Key Vault, for running without Azure (the CLI demo): one JSON file per secret holding
/// every version in order (so the demo can show how many versions each secret gained), written atomically (a
/// temporary file renamed over the old one). A deleted secret moves to <c>deleted/</c> and keeps its name
/// blocked until it is recovered, as purge protection does. Values are stored in clear text, readable only by the
/// current user on Unix: this folder is for demos and development, never for real credentials.
/// </summary>
public sealed partial class FileSecretFolder
{
    private const string DeletedFolderName = "deleted";
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    private readonly SemaphoreSlim _lock;
    private readonly TimeProvider _time;

    public FileSecretFolder(string folder, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
        DeletedFolder = Path.Combine(Folder, DeletedFolderName);
        OwnerOnlyFiles.CreateFolder(Folder);
        OwnerOnlyFiles.CreateFolder(DeletedFolder);
        _lock = Locks.GetOrAdd(Folder, _ => new SemaphoreSlim(1, 1));
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Folder { get; }

    public string DeletedFolder { get; }

    /// <summary>Adds a version (as Key Vault's SetSecret does: tags, content type and expiry belong to the new version).</summary>
    public Task SetAsync(string name, string value, string? contentType, IDictionary<string, string> tags, DateTimeOffset? expiresOn, CancellationToken cancellationToken = default) =>
        WithLockAsync(() =>
        {
            var path = ActivePath(name);
            if (File.Exists(DeletedPath(name)))
            {
                throw new InvalidOperationException(
                    $"Secret {name} is deleted but recoverable; its name stays blocked until it is recovered (as with purge protection).");
            }

            var file = Read(path) ?? new SecretFile { Name = name };
            file.Versions.Add(new SecretVersion
            {
                Version = Guid.NewGuid().ToString("N"),
                Value = value,
                ContentType = contentType,
                Tags = new Dictionary<string, string>(tags, StringComparer.Ordinal),
                ExpiresOn = expiresOn,
                CreatedOn = _time.GetUtcNow(),
            });
            WriteAtomically(path, file);
            return true;
        }, cancellationToken);

    /// <summary>The latest version; null when the secret does not exist or is deleted.</summary>
    public Task<SecretVersion?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        WithLockAsync(() => Read(ActivePath(name))?.Versions.LastOrDefault(), cancellationToken);

    /// <summary>Replaces the tags of the latest version; adds no version.</summary>
    public Task UpdateTagsAsync(string name, IDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        WithLockAsync(() =>
        {
            var path = ActivePath(name);
            var file = Read(path);
            if (file is null || file.Versions.Count == 0)
            {
                throw new InvalidOperationException($"Secret {name} does not exist; its tags cannot be updated.");
            }

            file.Versions[^1].Tags = new Dictionary<string, string>(tags, StringComparer.Ordinal);
            WriteAtomically(path, file);
            return true;
        }, cancellationToken);

    /// <summary>Name and tags of the latest version of every active secret.</summary>
    public Task<IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Tags)>> ListAsync(CancellationToken cancellationToken = default) =>
        WithLockAsync<IReadOnlyList<(string, IReadOnlyDictionary<string, string>)>>(() =>
        {
            var result = new List<(string, IReadOnlyDictionary<string, string>)>();
            foreach (var path in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal))
            {
                if (Path.GetFileName(path).StartsWith('.') || Read(path) is not { Versions.Count: > 0 } file)
                {
                    continue;
                }

                result.Add((file.Name, file.Versions[^1].Tags));
            }

            return result;
        }, cancellationToken);

    /// <summary>Moves the secret to <c>deleted/</c>; false when it does not exist.</summary>
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        WithLockAsync(() =>
        {
            var path = ActivePath(name);
            if (!File.Exists(path))
            {
                return false;
            }

            File.Move(path, DeletedPath(name), overwrite: true);
            return true;
        }, cancellationToken);

    public Task<bool> IsDeletedAsync(string name, CancellationToken cancellationToken = default) =>
        WithLockAsync(() => File.Exists(DeletedPath(name)), cancellationToken);

    /// <summary>Moves a deleted secret back, with all its versions.</summary>
    public Task RecoverAsync(string name, CancellationToken cancellationToken = default) =>
        WithLockAsync(() =>
        {
            var deleted = DeletedPath(name);
            if (!File.Exists(deleted))
            {
                throw new InvalidOperationException($"Secret {name} is not deleted; there is nothing to recover.");
            }

            File.Move(deleted, ActivePath(name), overwrite: false);
            return true;
        }, cancellationToken);

    /// <summary>How many versions the secret has (0 when it does not exist), deleted or not.</summary>
    public Task<int> GetVersionCountAsync(string name, CancellationToken cancellationToken = default) =>
        WithLockAsync(() => (Read(ActivePath(name)) ?? Read(DeletedPath(name)))?.Versions.Count ?? 0, cancellationToken);

    private string ActivePath(string name) => Path.Combine(Folder, FileName(name));

    private string DeletedPath(string name) => Path.Combine(DeletedFolder, FileName(name));

    private static string FileName(string name)
    {
        if (!SecretName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid secret name (1-127 letters, digits or '-').", nameof(name));
        }

        return name.ToLowerInvariant() + ".json";
    }

    private async Task<T> WithLockAsync<T>(Func<T> action, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return action();
        }
        finally
        {
            _lock.Release();
        }
    }

    private static SecretFile? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        try
        {
            return JsonSerializer.Deserialize<SecretFile>(stream, Json);
        }
        catch (JsonException ex)
        {
            // The exception names a path in the JSON, never a value.
            throw new InvalidDataException($"{path} is not a secret file: {ex.Message}", ex);
        }
    }

    private static void WriteAtomically(string path, SecretFile file) =>
        OwnerOnlyFiles.WriteAtomically(path, stream => JsonSerializer.Serialize(stream, file, Json));

    [GeneratedRegex(@"\A[0-9A-Za-z-]{1,127}\z")]
    private static partial Regex SecretName();

    /// <summary>One secret file: every version, oldest first.</summary>
    public sealed class SecretFile
    {
        public required string Name { get; set; }

        public List<SecretVersion> Versions { get; set; } = [];
    }

    /// <summary>One version of a secret.</summary>
    public sealed class SecretVersion
    {
        public required string Version { get; set; }

        public required string Value { get; set; }

        public string? ContentType { get; set; }

        public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

        public DateTimeOffset? ExpiresOn { get; set; }

        public DateTimeOffset CreatedOn { get; set; }

        public override string ToString() => $"version {Version} ({CreatedOn:O})";
    }
}
