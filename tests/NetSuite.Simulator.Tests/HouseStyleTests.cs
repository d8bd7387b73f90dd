using System.Text.RegularExpressions;

namespace NetSuite.Simulator.Tests;

/// <summary>
/// The one house-style rule the build cannot enforce: IDE0003 (no <c>this.</c>) is not reported by the command-line
/// build, only in the IDE, so this test holds the simulator and its tests, the engine, the Functions app and the CLI to it.
/// </summary>
public sealed partial class HouseStyleTests
{
    [Fact]
    public void No_member_access_is_qualified_with_this()
    {
        var root = RepositoryRoot();
        var offenders = new[] { "src/NetSuite.Simulator", "tests/NetSuite.Simulator.Tests", "src/TokenRotation", "src/TokenRotation.Functions", "src/TokenRotation.Cli" }
            .Select(folder => Path.Combine([root, .. folder.Split('/')]))
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && ThisQualified().IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(root, l.file)}:{l.number}")
            .ToList();

        Assert.True(offenders.Count == 0, "Drop `this.`:\n" + string.Join('\n', offenders));
    }

    [GeneratedRegex(@"\bthis\.[A-Za-z_]")]
    private static partial Regex ThisQualified();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Functions.sln above {AppContext.BaseDirectory}.");
    }
}
