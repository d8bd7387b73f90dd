using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Cli.Output;
using TokenRotation.Engine;

namespace TokenRotation.Cli.Demo;

/// <summary><c>nstoken demo</c>: the whole job on this machine, narrated. Needs only the .NET SDK.</summary>
internal static class DemoCommand
{
    public static Command Create(CliConsole console)
    {
        var folder = new Option<string?>("--folder")
        {
            Description = "Where the file-backed vaults go (kept afterwards, so `nstoken status --local FOLDER` shows them). Default: a temporary folder, removed at the end.",
            HelpName = "FOLDER",
        };
        var command = new Command("demo", """
            Run the whole job on this machine and explain each step: a NetSuite simulator on 127.0.0.1, the file-backed
            store, and simulated time. Creates an OAuth 2.0, a client-credentials and a TBA connection, consents, refreshes,
            mints, rotates the TBA token (issue, verify, promote, retire after the grace period), and lets the OAuth 2.0
            refresh token run out so that the connection needs a person, who consents again; rotates the client-credentials
            certificate; survives a NetSuite 503. Meanwhile a consumer calls NetSuite through NetSuite.Auth.KeyVault
            across all of it. Ends with what the consumer reads, the status table, and the status page as an HTML file.
            """)
        {
            folder,
        };
        command.SetAction(async (parse, ct) =>
        {
            var given = parse.GetValue(folder);
            var path = given is null
                ? Path.Combine(Path.GetTempPath(), "nstoken-demo-" + Guid.NewGuid().ToString("N")[..8])
                : Path.GetFullPath(given, console.WorkingDirectory);
            if (given is not null && Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            {
                await console.Error.WriteLineAsync($"--folder: {path} is not empty; the demo needs an empty or new folder.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            // The story is the demo's output; with --output json it goes to stderr and stdout gets the summary.
            var output = CliOutput.For(console, parse);
            var statusPage = given is null ? Path.Combine(Path.GetTempPath(), $"nstoken-demo-status-{Path.GetFileName(path)["nstoken-demo-".Length..]}.html") : null;
            DemoJson? summary = null;
            try
            {
                var exit = await DemoRunner.RunAsync(path, output.Json ? console.Error : console.Out, async world =>
                {
                    var views = await world.Services.GetRequiredService<ConnectionStatusQuery>().StatusAsync(ct).ConfigureAwait(false);
                    var now = world.Clock.GetUtcNow();
                    summary = new DemoJson(0, given is null ? null : path, world.StatusPage, now, world.ConsumerCalls, world.ConsumerFailedCalls,
                        views.Select(v => StatusConnectionJson.From(v, now)).ToList());
                }, statusPage, ct).ConfigureAwait(false);
                if (output.Json && summary is not null)
                {
                    await output.WriteJsonAsync(summary with { ExitCode = exit }).ConfigureAwait(false);
                }
                else if (given is not null)
                {
                    await console.Out.WriteLineAsync($"The folder is kept: `nstoken status --local {path}` shows it on the demo's clock.").ConfigureAwait(false);
                }

                return exit;
            }
            finally
            {
                if (given is null && Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
            }
        });
        return command;
    }
}
