using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace TokenRotation.Cli.Tests;

/// <summary>
/// nstoken ships as a .NET tool: `dotnet pack` (what the workflow runs) makes a package with the tool in it, and
/// `dotnet tool install --add-source` (what the README says) installs a working `nstoken` from that folder.
/// </summary>
public sealed class ToolPackageTests
{
    [Fact]
    public async Task Pack_makes_a_tool_package_that_installs_a_working_nstoken()
    {
        var root = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var work = Directory.CreateTempSubdirectory("nstoken-pack-").FullName;
        try
        {
            var packages = Path.Combine(work, "packages");

            // The build this test project already depends on is the one packed (no second build racing the first).
            var pack = await RunAsync(root, "dotnet", "pack", "src/TokenRotation.Cli/TokenRotation.Cli.csproj", "-c", configuration, "--no-build", "-o", packages);
            Assert.True(pack.ExitCode == 0, pack.Output);

            var package = Assert.Single(Directory.GetFiles(packages, "NetSuite.TokenRotation.Cli.*.nupkg"));
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                var settings = Assert.Single(entries, e => e.StartsWith("tools/net10.0/any/", StringComparison.Ordinal) && e.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
                Assert.Contains("tools/net10.0/any/nstoken.dll", entries);
                using var reader = zip.GetEntry(settings)!.Open();
                var command = XDocument.Load(reader).Descendants("Command").Single();
                Assert.Equal("nstoken", command.Attribute("Name")?.Value);
                Assert.Equal("nstoken.dll", command.Attribute("EntryPoint")?.Value);
                var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
                using var nuspecStream = nuspec.Open();
                var nuspecXml = XDocument.Load(nuspecStream);
                Assert.Contains(nuspecXml.Descendants().Where(d => d.Name.LocalName == "packageType"), p => p.Attribute("name")?.Value == "DotnetTool");

                // The package's page shows the CLI's README (the pack warns when a package has none).
                Assert.Equal("README.md", nuspecXml.Descendants().SingleOrDefault(d => d.Name.LocalName == "readme")?.Value);
                Assert.Contains("README.md", entries);
            }

            // The README's install command, into a tool path instead of the global one.
            var tools = Path.Combine(work, "tools");
            var install = await RunAsync(work, "dotnet", "tool", "install", "--tool-path", tools, "--add-source", packages, "NetSuite.TokenRotation.Cli");
            Assert.True(install.ExitCode == 0, install.Output);
            var help = await RunAsync(work, Path.Combine(tools, "nstoken"), "--help");
            Assert.True(help.ExitCode == 0, help.Output);
            Assert.Contains("consent", help.Output, StringComparison.Ordinal);
            Assert.Contains("orphans", help.Output, StringComparison.Ordinal);
            Assert.Contains("config", help.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Functions.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A fresh tool path and no first-run banner; the rest of the environment (DOTNET_ROOT, NuGet settings) as is.
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        // The installed tool's launcher finds the runtime through DOTNET_ROOT when dotnet is not where it looks first.
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is null && Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host)
        {
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(host);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in 8 minutes.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
