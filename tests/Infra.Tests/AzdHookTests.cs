using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>The azd hooks, run with stand-ins for `azd` (records its arguments) and `az` (canned answers) first on PATH.</summary>
public sealed partial class AzdHookTests : IDisposable
{
    private readonly DirectoryInfo _bin = Directory.CreateTempSubdirectory("azd-hook-tests-");

    public AzdHookTests()
    {
        var fake = Path.Combine(_bin.FullName, "azd");
        File.WriteAllText(fake, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$(dirname \"$0\")/calls.log\"\n");
        MakeExecutable(fake);

        // A machine with the real Azure CLI must not have it asked: by default Azure knows no group and no vault.
        StubAz(groupExists: false, active: [], deleted: []);
    }

    /// <summary>
    /// Puts a stand-in `az` first on PATH that answers the hook's three questions from canned text: whether the
    /// resource group exists, the vaults in it (name, env, salt) and the soft-deleted vaults (name, id, salt), as
    /// tab-separated lines the way `-o tsv` prints them.
    /// </summary>
    private void StubAz(bool groupExists, string[] active, string[] deleted, bool signedIn = true)
    {
        File.WriteAllText(Path.Combine(_bin.FullName, "az-active"), string.Concat(active.Select(l => l + "\n")));
        File.WriteAllText(Path.Combine(_bin.FullName, "az-deleted"), string.Concat(deleted.Select(l => l + "\n")));
        var az = Path.Combine(_bin.FullName, "az");
        File.WriteAllText(az, $$"""
            #!/bin/sh
            d="$(dirname "$0")"
            printf '%s\n' "$*" >> "$d/az-calls.log"
            {{(signedIn ? "" : "echo \"Please run 'az login' to setup account.\" >&2; exit 1")}}
            case "$*" in
              "group exists"*) echo {{(groupExists ? "true" : "false")}} ;;
              "keyvault list-deleted"*) cat "$d/az-deleted" ;;
              "keyvault list"*) cat "$d/az-active" ;;
              *) echo "az stand-in: unexpected $*" >&2; exit 2 ;;
            esac

            """.Replace("\r", "", StringComparison.Ordinal));
        MakeExecutable(az);
    }

    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private string[] Calls
    {
        get
        {
            var log = Path.Combine(_bin.FullName, "calls.log");
            return File.Exists(log) ? File.ReadAllLines(log) : [];
        }
    }

    public void Dispose() => _bin.Delete(recursive: true);

    [Fact]
    public async Task Preprovision_stops_when_no_alert_address_is_set()
    {
        var result = await RunHookAsync("preprovision.sh", new() { ["ALERT_EMAIL_ADDRESS"] = null, ["VAULT_NAME_SALT"] = "abc" });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("azd env set ALERT_EMAIL_ADDRESS", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(Calls);
    }

    [Fact]
    public async Task Preprovision_stores_a_new_salt_once_and_keeps_an_existing_one()
    {
        var first = await RunHookAsync("preprovision.sh", new() { ["ALERT_EMAIL_ADDRESS"] = "ops@example.com", ["VAULT_NAME_SALT"] = null });
        Assert.True(first.ExitCode == 0, first.Combined);
        var call = Assert.Single(Calls);
        Assert.Matches(SetSalt(), call);

        var again = await RunHookAsync("preprovision.sh", new() { ["ALERT_EMAIL_ADDRESS"] = "ops@example.com", ["VAULT_NAME_SALT"] = "kept" });
        Assert.True(again.ExitCode == 0, again.Combined);
        Assert.Single(Calls);
    }

    [Fact]
    public async Task Preprovision_refuses_to_invent_a_salt_in_ci()
    {
        var result = await RunHookAsync("preprovision.sh", new()
        {
            ["ALERT_EMAIL_ADDRESS"] = "ops@example.com",
            ["VAULT_NAME_SALT"] = null,
            ["CI"] = "true",
        });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("VAULT_NAME_SALT", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(Calls);
    }

    [Fact]
    public async Task Postdown_replaces_the_salt_and_prints_the_old_one_for_recovery()
    {
        var result = await RunHookAsync("postdown.sh", new() { ["VAULT_NAME_SALT"] = "0ld5a17" });

        Assert.True(result.ExitCode == 0, result.Combined);
        var call = Assert.Single(Calls);
        Assert.Matches(SetSalt(), call);
        Assert.DoesNotContain("0ld5a17", call, StringComparison.Ordinal);
        Assert.Contains("azd env set VAULT_NAME_SALT 0ld5a17", result.StandardOutput, StringComparison.Ordinal);
    }

    private const string Group = "rg-nstoken-prod";

    private static Dictionary<string, string?> Deployment(string salt = "5a17") => new()
    {
        ["ALERT_EMAIL_ADDRESS"] = "ops@example.com",
        ["VAULT_NAME_SALT"] = salt,
        ["AZURE_ENV_NAME"] = "prod",
        ["AZURE_RESOURCE_GROUP"] = Group,
    };

    [Fact]
    public async Task Preprovision_goes_on_when_the_group_holds_only_this_deployments_vaults()
    {
        StubAz(groupExists: true, active: ["kvst-abc\tprod\t5a17", "kvcn-abc\tprod\t5a17"], deleted: []);

        var result = await RunHookAsync("preprovision.sh", Deployment());

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Contains($"keyvault list --resource-group {Group}", File.ReadAllText(Path.Combine(_bin.FullName, "az-calls.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preprovision_goes_on_for_a_new_resource_group()
    {
        StubAz(groupExists: false, active: ["kvst-other\tprod\tffff"], deleted: []);

        var result = await RunHookAsync("preprovision.sh", Deployment());

        Assert.True(result.ExitCode == 0, result.Combined);
    }

    [Fact]
    public async Task Preprovision_refuses_when_the_vaults_of_this_environment_carry_another_salt_and_says_how_to_keep_them()
    {
        StubAz(groupExists: true, active: ["kvst-old\tprod\t0ld5a17", "kvcn-old\tprod\t0ld5a17"], deleted: []);

        var result = await RunHookAsync("preprovision.sh", Deployment("new5a17"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("kvst-old", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("'0ld5a17'", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("azd env set VAULT_NAME_SALT", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("NSTOKEN_ALLOW_NEW_VAULTS=true", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preprovision_refuses_when_the_group_holds_vaults_of_another_environment_name()
    {
        StubAz(groupExists: true, active: ["kvst-ci\tnstoken-prod\t5a17"], deleted: []);

        var result = await RunHookAsync("preprovision.sh", Deployment());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'nstoken-prod', not 'prod'", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preprovision_refuses_when_a_soft_deleted_vault_of_this_salt_holds_the_name()
    {
        StubAz(
            groupExists: false,
            active: [],
            deleted: [$"kvst-abc\t/subscriptions/0000/resourceGroups/{Group.ToUpperInvariant()}/providers/Microsoft.KeyVault/vaults/kvst-abc\t5a17"]);

        var result = await RunHookAsync("preprovision.sh", Deployment());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("kvst-abc is soft-deleted", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("az keyvault recover --name", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preprovision_ignores_soft_deleted_vaults_of_an_older_salt_left_by_azd_down()
    {
        StubAz(
            groupExists: false,
            active: [],
            deleted: [$"kvst-old\t/subscriptions/0000/resourceGroups/{Group}/providers/Microsoft.KeyVault/vaults/kvst-old\t0ld5a17"]);

        var result = await RunHookAsync("preprovision.sh", Deployment());

        Assert.True(result.ExitCode == 0, result.Combined);
    }

    [Fact]
    public async Task Preprovision_goes_on_with_a_warning_when_azure_cannot_be_asked()
    {
        StubAz(groupExists: true, active: ["kvst-old\tprod\t0ld5a17"], deleted: [], signedIn: false);

        var result = await RunHookAsync("preprovision.sh", Deployment());

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Contains("az login", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preprovision_skips_the_check_when_new_vaults_are_wanted_on_purpose()
    {
        StubAz(groupExists: true, active: ["kvst-old\tprod\t0ld5a17"], deleted: []);
        var environment = Deployment();
        environment["NSTOKEN_ALLOW_NEW_VAULTS"] = "true";

        var result = await RunHookAsync("preprovision.sh", environment);

        Assert.True(result.ExitCode == 0, result.Combined);
    }

    [Fact]
    public async Task Azure_yaml_requires_azd_1_18_and_runs_each_hook_under_sh_and_under_powershell_on_windows()
    {
        var yaml = (await File.ReadAllTextAsync(Path.Combine(BicepCli.RepositoryPath, "azure.yaml"))).Replace("\r", "", StringComparison.Ordinal);

        // Before 1.18 azd evaluated main.bicepparam before the preprovision hook had set VAULT_NAME_SALT.
        Assert.Matches("(?m)^requiredVersions:\n  azd: ['\"]>= ?1\\.18\\.0['\"]$", yaml);
        foreach (var hook in new[] { "preprovision", "postdown" })
        {
            Assert.Contains(
                $"  {hook}:\n    posix:\n      shell: sh\n      run: scripts/azd-hooks/{hook}.sh\n",
                yaml,
                StringComparison.Ordinal);
            Assert.Contains(
                $"    windows:\n      shell: pwsh\n      run: scripts/azd-hooks/{hook}.ps1\n",
                yaml,
                StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(BicepCli.RepositoryPath, "scripts", "azd-hooks", hook + ".ps1")), $"{hook}.ps1 is missing.");
        }
    }

    [Fact]
    public void Powershell_hooks_make_the_same_checks_as_the_sh_hooks()
    {
        var ps1 = File.ReadAllText(Path.Combine(BicepCli.RepositoryPath, "scripts", "azd-hooks", "preprovision.ps1"));

        foreach (var needle in new[] { "ALERT_EMAIL_ADDRESS", "OPERATORS_GROUP_OBJECT_ID", "VAULT_NAME_SALT", "GITHUB_ACTIONS", "NSTOKEN_ALLOW_NEW_VAULTS", "az group exists", "az keyvault list", "list-deleted", "nstoken-vault-salt", "az keyvault recover" })
        {
            Assert.Contains(needle, ps1, StringComparison.Ordinal);
        }

        Assert.Contains("azd env set VAULT_NAME_SALT", File.ReadAllText(Path.Combine(BicepCli.RepositoryPath, "scripts", "azd-hooks", "postdown.ps1")), StringComparison.Ordinal);
    }

    [Fact]
    public void Gitattributes_keep_shell_scripts_with_lf_endings()
    {
        var lines = File.ReadAllLines(Path.Combine(BicepCli.RepositoryPath, ".gitattributes")).Select(l => Regex.Replace(l.Trim(), @"\s+", " ")).ToList();

        Assert.Contains("*.sh text eol=lf", lines);
    }

    [Fact]
    public void Deploy_job_runs_on_manual_dispatch_only_from_main_and_azd_uses_the_pinned_bicep()
    {
        var workflow = File.ReadAllText(Path.Combine(BicepCli.RepositoryPath, ".github", "workflows", "ci-cd.yml")).Replace("\r", "", StringComparison.Ordinal);
        var deploy = workflow[workflow.IndexOf("\n  deploy:\n", StringComparison.Ordinal)..];
        var condition = Regex.Match(deploy, @"\n    if: (?<c>.+)\n").Groups["c"].Value;

        // The ref check is ANDed with everything else, so no event (a manual run of a branch included) deploys other code.
        Assert.Matches(@"^(\([^()]+\) && )?github\.ref == 'refs/heads/main'$", condition);
        Assert.Contains("workflow_dispatch", condition, StringComparison.Ordinal);
        Assert.Contains("AZD_BICEP_TOOL_PATH", deploy, StringComparison.Ordinal);
        Assert.Contains("scripts/bicep.sh --path", deploy, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_job_packs_nstoken_as_a_tool_and_uploads_the_package_the_README_installs_from()
    {
        var workflow = File.ReadAllText(Path.Combine(BicepCli.RepositoryPath, ".github", "workflows", "ci-cd.yml")).Replace("\r", "", StringComparison.Ordinal);
        var build = workflow[workflow.IndexOf("\n  build:\n", StringComparison.Ordinal)..workflow.IndexOf("\n  deploy:\n", StringComparison.Ordinal)];
        var readme = File.ReadAllText(Path.Combine(BicepCli.RepositoryPath, "README.md"));

        // Packed after the tests, on every run (pull requests too), so the artifact is what was tested.
        Assert.Matches(@"run: dotnet pack src/TokenRotation\.Cli/TokenRotation\.Cli\.csproj -c Release -o (?<out>\S+)", build);
        var output = Regex.Match(build, @"dotnet pack \S+ -c Release -o (?<out>\S+)").Groups["out"].Value;
        Assert.True(build.IndexOf("bash .ci/run", StringComparison.Ordinal) < build.IndexOf("dotnet pack", StringComparison.Ordinal));
        Assert.Contains("uses: actions/upload-artifact@v4", build, StringComparison.Ordinal);
        Assert.Contains($"path: {output}/*.nupkg", build, StringComparison.Ordinal);
        Assert.Contains("if-no-files-found: error", build, StringComparison.Ordinal);
        var artifact = Regex.Match(build, @"name: (?<name>nstoken-\S+)").Groups["name"].Value;
        Assert.Contains(artifact, readme, StringComparison.Ordinal);
        Assert.Contains("dotnet tool install --global --add-source", readme, StringComparison.Ordinal);
        Assert.Contains("NetSuite.TokenRotation.Cli", readme, StringComparison.Ordinal);
    }

    private Task<ProcessResult> RunHookAsync(string hook, Dictionary<string, string?> environment)
    {
        environment["PATH"] = $"{_bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}";
        environment.TryAdd("CI", null);
        environment["GITHUB_ACTIONS"] = null;
        environment.TryAdd("OPERATORS_GROUP_OBJECT_ID", "6a1b7f0e-0d3c-4b53-9c2e-000000000001");
        environment.TryAdd("NSTOKEN_ALLOW_NEW_VAULTS", null);
        environment.TryAdd("AZURE_ENV_NAME", null);
        environment.TryAdd("AZURE_RESOURCE_GROUP", null);
        return ProcessRunner.RunAsync(
            "sh",
            [Path.Combine(BicepCli.RepositoryPath, "scripts", "azd-hooks", hook)],
            BicepCli.RepositoryPath,
            environment,
            TimeSpan.FromMinutes(1));
    }

    [GeneratedRegex("^env set VAULT_NAME_SALT [0-9a-f]{8}$")]
    private static partial Regex SetSalt();
}
