using Microsoft.Extensions.Time.Testing;
using TokenRotation.Consent;
using TokenRotation.Keys;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

/// <summary>
/// Secrets on disk are owner-only from the first byte: files 0600 in folders 0700, created with that mode by the one
/// helper every local store uses, never written first and restricted after.
/// </summary>
public sealed class OwnerOnlyFilesTests : IDisposable
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("nstoken-modes-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void The_helper_creates_owner_only_folders_and_files_with_the_mode_given_at_creation()
    {
        var folder = Path.Combine(_root.FullName, "a", "b");
        var file = Path.Combine(folder, "secret.json");

        OwnerOnlyFiles.WriteAllText(file, "{\"v\":1}");
        OwnerOnlyFiles.WriteAllText(file, "{\"v\":2}");

        Assert.Equal("{\"v\":2}", File.ReadAllText(file));
        Assert.Equal([file], Directory.GetFiles(folder));
        var options = OwnerOnlyFiles.CreateNewOptions();
        Assert.Equal(FileMode.CreateNew, options.Mode);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerFile, options.UnixCreateMode);
            Assert.Equal(OwnerFile, File.GetUnixFileMode(file));
            Assert.Equal(OwnerFolder, File.GetUnixFileMode(folder));
            Assert.Equal(OwnerFolder, File.GetUnixFileMode(Path.Combine(_root.FullName, "a")));
        }
    }

    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary_file()
    {
        var file = Path.Combine(_root.FullName, "keep.json");
        OwnerOnlyFiles.WriteAllText(file, "old");

        Assert.Throws<InvalidOperationException>(() => OwnerOnlyFiles.WriteAtomically(file, stream =>
        {
            stream.WriteByte((byte)'x');
            throw new InvalidOperationException("the writer failed");
        }));

        Assert.Equal("old", File.ReadAllText(file));
        Assert.Equal([file], Directory.GetFiles(_root.FullName));
    }

    [Fact]
    public async Task Local_certificate_keys_are_owner_only_files_in_owner_only_folders()
    {
        var keys = new FileCertificateKeyStore(Path.Combine(_root.FullName, "keys"), new FakeTimeProvider(Samples.Start));

        var version = await keys.CreateVersionAsync("cert-m2m", "nstoken m2m", TimeSpan.FromDays(365));

        var folder = Path.Combine(_root.FullName, "keys", "cert-m2m");
        var files = Directory.GetFiles(folder);
        Assert.Equal(2, files.Length);
        Assert.Contains(Path.Combine(folder, version.Version + ".key.pem"), files);
        AssertOwnerOnly(files, [folder, Path.Combine(_root.FullName, "keys")]);
    }

    [Fact]
    public async Task Local_service_keys_are_owner_only_files_in_an_owner_only_folder()
    {
        var folder = Path.Combine(_root.FullName, "service-keys");
        var keys = new LocalServiceKeyStore(folder, new FakeTimeProvider(Samples.Start));

        await keys.GetAsync(ServiceKeyNames.ConsentSigning);
        await keys.RotateAsync(ServiceKeyNames.VerifierEncryption);

        var files = Directory.GetFiles(folder);
        Assert.Equal(2, files.Length);
        AssertOwnerOnly(files, [folder]);
    }

    [Fact]
    public async Task Local_secret_folders_and_their_files_are_owner_only()
    {
        var store = Path.Combine(_root.FullName, "store", "state-vault");
        var folder = new FileSecretFolder(store);

        await folder.SetAsync("conn-a", "secret", null, new Dictionary<string, string>(), null);
        await folder.SetAsync("conn-b", "secret", null, new Dictionary<string, string>(), null);
        await folder.DeleteAsync("conn-b");

        AssertOwnerOnly(
            Directory.GetFiles(store, "*", SearchOption.AllDirectories),
            [store, folder.DeletedFolder, Path.Combine(_root.FullName, "store")]);
        Assert.Equal(2, Directory.GetFiles(store, "*", SearchOption.AllDirectories).Length);
    }

    private static void AssertOwnerOnly(IEnumerable<string> files, IEnumerable<string> folders)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var file in files)
        {
            Assert.True(File.GetUnixFileMode(file) == OwnerFile, $"{file} is {File.GetUnixFileMode(file)}, not owner-only");
        }

        foreach (var folder in folders)
        {
            Assert.True(File.GetUnixFileMode(folder) == OwnerFolder, $"{folder} is {File.GetUnixFileMode(folder)}, not owner-only");
        }
    }
}
