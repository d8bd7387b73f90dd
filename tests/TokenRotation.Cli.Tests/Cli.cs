using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Simulator;
using Testing.Shared;
using TokenRotation.Cli;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Tests;

/// <summary>Runs nstoken in-process with its own streams.</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string[] args, string stdin = "", IReadOnlyDictionary<string, string?>? environment = null, Func<string, CancellationToken, Task<string?>>? prompt = null,
        Action<IServiceCollection>? services = null, string? workingDirectory = null, bool terminal = false, int? width = null)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole
        {
            In = input,
            Out = output,
            Error = error,
            EnvironmentVariables = environment,
            PromptSecret = prompt,
            ConfigureServices = services,
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("nstoken-cwd-").FullName,
            OutputIsTerminal = terminal,
            ErrorIsTerminal = terminal,
            TerminalWidth = width,
        };
        var exit = await NsTokenApp.RunAsync(args, console);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>
/// nstoken with <c>--local</c> against a fresh NetSuite simulator: a temporary folder holding the file-backed store
/// and a settings file that points every NetSuite URL at the simulator. Seed the simulator's accounts after start.
/// </summary>
internal sealed class LocalCli : IAsyncDisposable
{
    /// <summary>The CLI tests' operator account (what their output assertions name).</summary>
    public const string Account = "7654321_SB1";
    public const string Email = "ops@example.com";
    public const string Password = "Ops-Only-Passw0rd!";
    public const string TotpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    /// <summary>The redirect URI of the CLI tests' OAuth 2.0 integrations (the Functions app run locally).</summary>
    public const string LocalCallback = "http://localhost:7071/api/oauth/callback";

    /// <summary>The operator account as the test world seeds it.</summary>
    public static WorldAccount Operator { get; } = new() { Id = Account, UserEmail = Email, UserPassword = Password, TotpSecret = TotpSecret };

    private LocalCli(string folder, NetSuiteSimulator simulator, string settings)
    {
        Folder = folder;
        Simulator = simulator;
        Settings = settings;
    }

    public string Folder { get; }

    public NetSuiteSimulator Simulator { get; }

    /// <summary>The settings file passed with <c>--settings</c>.</summary>
    public string Settings { get; }

    /// <summary>The folder passed with <c>--local</c>.</summary>
    public string Store => Path.Combine(Folder, "store");

    public static async Task<LocalCli> StartAsync(string folderPrefix)
    {
        var folder = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        var simulator = await NetSuiteSimulator.StartAsync();
        var settings = Path.Combine(folder, "settings.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["NetSuite"] = new Dictionary<string, string>
            {
                ["SuiteTalkUrlTemplate"] = simulator.SuiteTalkTemplate,
                ["RestletsUrlTemplate"] = simulator.RestletsTemplate,
                ["AppUrlTemplate"] = simulator.AppTemplate,
                ["DataCenterUrlsUrl"] = simulator.BaseUrl + "/rest/datacenterurls",
            },
        }));
        return new LocalCli(folder, simulator, settings);
    }

    /// <summary>
    /// Seeds the simulator with <paramref name="account"/> (default <see cref="Operator"/>) through the test world's one
    /// seeding (<see cref="WorldAccount.SeedInto"/>); a user without two-factor authentication has no TOTP secret.
    /// </summary>
    public void SeedAccount(bool twoFactor = true, bool consentUser = false, WorldAccount? account = null, bool roleRecord = true)
    {
        var seeded = account ?? Operator;
        (twoFactor ? seeded : seeded with { TotpSecret = null }).SeedInto(Simulator.State, twoFactor, consentUser: consentUser, roleRecord: roleRecord);
    }

    /// <summary>Runs nstoken with <c>--local</c> and <c>--settings</c> appended.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string stdin, params string[] args) =>
        Cli.RunAsync([.. args, "--local", Store, "--settings", Settings], stdin);

    /// <summary>Runs nstoken with <c>--local</c> and <c>--settings</c> appended, as if stdout and stderr were a terminal.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunOnTerminalAsync(IReadOnlyDictionary<string, string?>? environment, int? width, params string[] args) =>
        Cli.RunAsync([.. args, "--local", Store, "--settings", Settings], environment: environment, terminal: true, width: width);

    /// <summary>The connection as the local state vault holds it.</summary>
    public Task<ConnectionDocument?> GetAsync(string name) =>
        new FileConnectionStore(Path.Combine(Store, "state-vault")).GetAsync(ConnectionName.Parse(name));

    /// <summary>What the local consumer vault holds for the connection.</summary>
    public Task<ConsumerProjection?> GetPublishedAsync(string name) =>
        new FileConsumerPublisher(Path.Combine(Store, "consumer-vault")).GetAsync(ConnectionName.Parse(name));

    public async ValueTask DisposeAsync()
    {
        await Simulator.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
