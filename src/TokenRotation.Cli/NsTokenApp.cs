using System.CommandLine;
using System.Text.RegularExpressions;
using TokenRotation.Cli.Commands;
using TokenRotation.Cli.Demo;

namespace TokenRotation.Cli;

/// <summary>The <c>nstoken</c> command line. Input and output are parameters so tests run it in-process.</summary>
public static partial class NsTokenApp
{
    public static Task<int> RunAsync(
        string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr,
        Func<string, string?> getEnvironmentVariable, CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliConsole { In = stdin, Out = stdout, Error = stderr, GetEnvironmentVariable = getEnvironmentVariable }, cancellationToken);

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);

        // Secrets end up in shell history and process lists: refuse them before anything else looks at the arguments.
        if (args.FirstOrDefault(a => SecretOption().IsMatch(a)) is { } secretArgument)
        {
            var option = secretArgument.Split('=', 2)[0];
            await console.Error.WriteLineAsync(
                $"{option}: secrets are never accepted as arguments (they end up in shell history and process lists). The command prompts for them without echo, or reads them from standard input with --secrets-from-stdin; `sign` also reads NSTOKEN_CONSUMER_SECRET and NSTOKEN_TOKEN_SECRET.")
                .ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var global = new GlobalOptions();
        var root = new RootCommand($"""
            nstoken: keep NetSuite integration credentials (OAuth 2.0, client credentials, TBA) alive, with the same engine and
            stores as the Functions app. Settings come from appsettings.json in the working directory, environment variables
            (KeyVault__StateVaultUri, ...) and --settings FILE; --local FOLDER uses the file-backed store instead of Azure.
            Start with: nstoken demo

            {ExitCodes.HelpText}
            """);
        root.Options.Add(global.Settings);
        root.Options.Add(global.Local);
        var output = new Output.OutputOptions();
        root.Options.Add(output.Output);
        root.Options.Add(output.Json);
        root.Subcommands.Add(StatusCommand.Create(console, global));
        root.Subcommands.Add(RunCommands.Refresh(console, global));
        root.Subcommands.Add(RunCommands.Rotate(console, global));
        root.Subcommands.Add(AdminCommands.Pause(console, global));
        root.Subcommands.Add(AdminCommands.Resume(console, global));
        root.Subcommands.Add(AdminCommands.Rollback(console, global));
        root.Subcommands.Add(AdminCommands.Delete(console, global));
        root.Subcommands.Add(AdminCommands.Recover(console, global));
        root.Subcommands.Add(AdminCommands.ConsentLink(console, global));
        root.Subcommands.Add(ConsentCommand.Create(console, global));
        root.Subcommands.Add(ImportCommand.Create(console, global));
        root.Subcommands.Add(UpdateCommand.Create(console, global));
        root.Subcommands.Add(OrphansCommand.Create(console, global));
        root.Subcommands.Add(SignCommand.Create(console.In, console.Out, console.Error, console.GetEnvironmentVariable, TimeProvider.System));
        root.Subcommands.Add(DoctorCommand.Create(console, global));
        root.Subcommands.Add(MigrateCommand.Create(console, global));
        root.Subcommands.Add(ConfigCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await console.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            var command = parse.CommandResult.Command;
            var path = command == root ? "" : " " + string.Join(' ', command.Parents.OfType<Command>().Where(c => c != root).Select(c => c.Name).Append(command.Name));
            await console.Error.WriteLineAsync($"Run 'nstoken{path} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var config = new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AzureFailures.Describe(ex, CliHost.TryBuildConfiguration(console, parse.GetValue(global.Settings), parse.GetValue(global.Local) is not null)) is { } line)
        {
            // Every Azure failure is one line that names the vault or endpoint and its setting, never a stack.
            await console.Error.WriteLineAsync(line).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    // --client-secret, --token-secret, --consumer-secret, --password, --totp-secret, --refresh-token, --private-key, ...
    // but not --secrets-from-stdin.
    [GeneratedRegex("^--?(?!-)(?!secrets-from-stdin(=|$))([a-z-]*secret[a-z-]*|password|passwd|pwd|otp|totp|refresh-token|access-token|private-key|key-pem)(=.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretOption();
}
