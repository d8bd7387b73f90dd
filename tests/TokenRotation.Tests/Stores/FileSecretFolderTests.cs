using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

public sealed class FileSecretFolderTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("nstoken-folder-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Every_version_is_kept_in_one_file_per_secret()
    {
        var folder = new FileSecretFolder(_root.FullName);

        await folder.SetAsync("conn-a", "one", "application/json", new Dictionary<string, string> { ["kind"] = "Tba" }, null);
        await folder.SetAsync("conn-a", "two", "application/json", new Dictionary<string, string> { ["kind"] = "Tba" }, null);
        await folder.SetAsync("conn-b", "three", null, new Dictionary<string, string>(), null);

        Assert.Equal(2, await folder.GetVersionCountAsync("conn-a"));
        Assert.Equal("two", (await folder.GetAsync("conn-a"))!.Value);
        Assert.Equal(["conn-a.json", "conn-b.json"], Directory.GetFiles(_root.FullName).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_version_and_leave_no_temporary_file()
    {
        var first = new FileSecretFolder(_root.FullName);
        var second = new FileSecretFolder(_root.FullName);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? first : second).SetAsync("conn-busy", $"v{i}", null, new Dictionary<string, string>(), null)));

        Assert.Equal(40, await first.GetVersionCountAsync("conn-busy"));
        Assert.Empty(Directory.GetFiles(_root.FullName, "*.tmp"));
    }

    [Fact]
    public async Task A_deleted_secret_moves_to_the_deleted_folder_and_back()
    {
        var folder = new FileSecretFolder(_root.FullName);
        await folder.SetAsync("conn-gone", "value", null, new Dictionary<string, string>(), null);

        Assert.True(await folder.DeleteAsync("conn-gone"));
        Assert.True(File.Exists(Path.Combine(_root.FullName, "deleted", "conn-gone.json")));
        Assert.False(File.Exists(Path.Combine(_root.FullName, "conn-gone.json")));

        await folder.RecoverAsync("conn-gone");
        Assert.Equal("value", (await folder.GetAsync("conn-gone"))!.Value);
    }

    [Fact]
    public async Task Secret_files_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only.
        }

        var folder = new FileSecretFolder(_root.FullName);

        await folder.SetAsync("conn-private", "value", null, new Dictionary<string, string>(), null);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root.FullName, "conn-private.json")));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("conn/x")]
    [InlineData("")]
    public async Task Names_that_are_not_secret_names_are_refused(string name)
    {
        var folder = new FileSecretFolder(_root.FullName);

        await Assert.ThrowsAsync<ArgumentException>(() => folder.SetAsync(name, "value", null, new Dictionary<string, string>(), null));
    }
}
