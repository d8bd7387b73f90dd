using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>The azd hooks, run with a stand-in `azd` first on PATH that records its arguments.</summary>
public sealed partial class AzdHookTests : IDisposable
{
    private readonly DirectoryInfo _bin = Directory.CreateTempSubdirectory("azd-hook-tests-");

    public AzdHookTests()
    {
        var fake = Path.Combine(_bin.FullName, "azd");
        File.WriteAllText(fake, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$(dirname \"$0\")/calls.log\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
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

    private Task<ProcessResult> RunHookAsync(string hook, Dictionary<string, string?> environment)
    {
        environment["PATH"] = $"{_bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}";
        environment.TryAdd("CI", null);
        environment["GITHUB_ACTIONS"] = null;
        environment.TryAdd("OPERATORS_GROUP_OBJECT_ID", "6a1b7f0e-0d3c-4b53-9c2e-000000000001");
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
