namespace Testing.Shared;

/// <summary>Finds the repository root (the folder holding Functions.sln) from the test's output folder.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"No Functions.sln above {AppContext.BaseDirectory}.");
    }
}
