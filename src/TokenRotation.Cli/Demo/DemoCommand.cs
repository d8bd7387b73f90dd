using System.CommandLine;

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
            refresh token run out so that the connection needs a person. Meanwhile a consumer calls NetSuite through
            NetSuite.Auth.KeyVault across the refreshes and the rotation. Ends with the status table and the consumer's
            call count.
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

            try
            {
                return await DemoRunner.RunAsync(path, console.Out, inspect: null, ct).ConfigureAwait(false);
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
