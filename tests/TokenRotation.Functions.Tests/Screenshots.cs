using Microsoft.Playwright;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// Screenshots of the browser tests, kept as test artifacts in scripts/test.sh's results folder
/// (<c>artifacts/test-results/screenshots</c>; NSTOKEN_TEST_RESULTS names the folder when set).
/// </summary>
internal static class Screenshots
{
    public static string Folder
    {
        get
        {
            if (Environment.GetEnvironmentVariable("NSTOKEN_TEST_RESULTS") is { Length: > 0 } results)
            {
                return Path.Combine(results, "screenshots");
            }

            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "artifacts", "test-results", "screenshots");
        }
    }

    public static async Task<string> SaveAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 0, $"The screenshot {path} is empty.");
        return path;
    }
}
