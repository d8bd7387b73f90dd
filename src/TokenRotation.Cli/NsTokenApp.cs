using System.CommandLine;

namespace TokenRotation.Cli;

/// <summary>The <c>nstoken</c> command line. Input and output are parameters so tests run it in-process.</summary>
public static class NsTokenApp
{
    public static async Task<int> RunAsync(
        string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr,
        Func<string, string?> getEnvironmentVariable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("nstoken: keep NetSuite integration credentials alive on Azure.");
        root.Subcommands.Add(SignCommand.Create(stdin, stdout, stderr, getEnvironmentVariable, TimeProvider.System));
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
    }
}
