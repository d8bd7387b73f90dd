using System.Text.Json.Nodes;
using Testing.Shared;

namespace Infra.Tests;

/// <summary>
/// The Bicep CLI that scripts/bicep.sh installs (NuGet package Azure.Bicep.CommandLine.linux-x64 through
/// tools/bicep/bicep.proj), so the tests compile with exactly the binary CI lints with.
/// </summary>
public static class BicepCli
{
    public const string InstallHint =
        "The Bicep CLI is missing. Install it with `bash scripts/bicep.sh` (it runs `dotnet restore tools/bicep/bicep.proj`, " +
        "which puts the NuGet package Azure.Bicep.CommandLine.linux-x64 in the NuGet cache), or point BICEP_BIN at a bicep binary.";

    // Fixed identities of the evaluation; nothing is deployed.
    public const string SubscriptionId = "00000000-0000-0000-0000-0000000000aa";
    public const string TenantId = "00000000-0000-0000-0000-0000000000bb";
    public const string ResourceGroup = "rg-infra-tests";
    public const string Location = "westeurope";

    private static readonly Lazy<Task<string>> Binary = new(LocateAsync);

    public static string RepositoryPath { get; } = RepositoryRoot.Find();

    public static string InfraPath => Path.Combine(RepositoryPath, "infra");

    public static Task<string> PathAsync() => Binary.Value;

    /// <summary>`bicep build --stdout`: the ARM JSON of a .bicep file.</summary>
    public static async Task<JsonObject> BuildAsync(string bicepFile)
    {
        var result = await RunAsync(["build", bicepFile, "--stdout"]);
        return JsonNode.Parse(result.StandardOutput)?.AsObject()
            ?? throw new InvalidOperationException($"bicep build {bicepFile} printed no JSON.");
    }

    /// <summary>
    /// `bicep snapshot`: evaluates main.bicep with a parameter file the way ARM would before deploying (loops
    /// expanded, conditions applied, values that only exist at deployment left as expressions).
    /// </summary>
    public static async Task<Snapshot> SnapshotAsync(string bicepParamText, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var dir = Directory.CreateTempSubdirectory("infra-tests-");
        try
        {
            var relativeMain = Path.GetRelativePath(dir.FullName, Path.Combine(InfraPath, "main.bicep")).Replace('\\', '/');
            var paramFile = Path.Combine(dir.FullName, "scenario.bicepparam");
            await File.WriteAllTextAsync(paramFile, $"using '{relativeMain}'\n\n{bicepParamText}\n");

            await RunAsync(
                [
                    "snapshot", paramFile, "--mode", "overwrite",
                    "--subscription-id", SubscriptionId,
                    "--tenant-id", TenantId,
                    "--resource-group", ResourceGroup,
                    "--location", Location,
                    "--config", Path.Combine(RepositoryPath, "bicepconfig.json"),
                ],
                environment);

            var snapshotFile = Path.Combine(dir.FullName, "scenario.snapshot.json");
            var json = JsonNode.Parse(await File.ReadAllTextAsync(snapshotFile))?.AsObject()
                ?? throw new InvalidOperationException("bicep snapshot wrote no JSON.");
            return new Snapshot(json);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<ProcessResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var bicep = await PathAsync();
        var args = arguments.ToList();
        var result = await ProcessRunner.RunAsync(bicep, args, RepositoryPath, environment, TimeSpan.FromMinutes(3));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep {string.Join(' ', args)} failed ({result.ExitCode}):\n{result.Combined}");
        }

        return result;
    }

    private static async Task<string> LocateAsync()
    {
        var script = Path.Combine(RepositoryPath, "scripts", "bicep.sh");
        ProcessResult result;
        try
        {
            result = await ProcessRunner.RunAsync("bash", [script, "--path"], RepositoryPath, timeout: TimeSpan.FromMinutes(5));
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or TimeoutException)
        {
            throw new InvalidOperationException($"{InstallHint} ({ex.Message})", ex);
        }

        var path = result.StandardOutput.Trim().Split('\n').LastOrDefault()?.Trim();
        if (result.ExitCode != 0 || string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"{InstallHint}\n{result.Combined}");
        }

        return path;
    }
}
