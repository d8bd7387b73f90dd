using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Cli;

namespace TokenRotation.Cli.Tests;

/// <summary>Runs nstoken in-process with its own streams.</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string[] args, string stdin = "", IReadOnlyDictionary<string, string?>? environment = null, Func<string, CancellationToken, Task<string?>>? prompt = null,
        Action<IServiceCollection>? services = null, string? workingDirectory = null)
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
        };
        var exit = await NsTokenApp.RunAsync(args, console);
        return (exit, output.ToString(), error.ToString());
    }
}
