using System.Text;

namespace TokenRotation.Stores;

/// <summary>
/// Files that hold secrets on disk (local stores, local keys): each is created readable and writable by its owner
/// only (0600) inside folders only the owner may enter (0700). The mode is given when the file or folder is created,
/// so no byte is ever on disk with wider permissions; nothing is written first and restricted afterwards. The process
/// umask can only narrow these modes. On Windows the folder's inherited ACLs apply instead.
/// </summary>
public static class OwnerOnlyFiles
{
    /// <summary>rw------- (0600).</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>rwx------ (0700).</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Creates <paramref name="path"/> and any missing parent as owner-only folders; existing folders are left as they are.</summary>
    public static DirectoryInfo CreateFolder(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(path);
        }

        // The mode given to CreateDirectory applies to the last folder only, so each missing parent is made here.
        var full = Path.GetFullPath(path);
        var missing = new Stack<string>();
        for (var folder = full; !string.IsNullOrEmpty(folder) && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            missing.Push(folder);
        }

        while (missing.TryPop(out var folder))
        {
            Directory.CreateDirectory(folder, FolderMode);
        }

        return new DirectoryInfo(full);
    }

    /// <summary>Options that create a new owner-only file, failing if the path exists.</summary>
    public static FileStreamOptions CreateNewOptions()
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }

    /// <summary>
    /// Replaces <paramref name="path"/> atomically: <paramref name="write"/> fills a new owner-only temporary file in
    /// the same folder, which is flushed to disk and renamed over the target. Readers see the old or the new content.
    /// </summary>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        CreateFolder(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, CreateNewOptions()))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Replaces <paramref name="path"/> atomically with <paramref name="contents"/> (UTF-8, no BOM), owner-only.</summary>
    public static void WriteAllText(string path, string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        WriteAtomically(path, stream => stream.Write(Utf8.GetBytes(contents)));
    }
}
