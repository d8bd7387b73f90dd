using Microsoft.Extensions.DependencyInjection;

namespace TokenRotation.Cli;

/// <summary>What a command reads and writes, so tests run commands in-process with their own streams and services.</summary>
public sealed class CliConsole
{
    public required TextReader In { get; init; }

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public Func<string, string?> GetEnvironmentVariable { get; init; } = static _ => null;

    /// <summary>Environment variables fed to the configuration (<c>KeyVault__StateVaultUri</c> style); null for none.</summary>
    public IReadOnlyDictionary<string, string?>? EnvironmentVariables { get; init; }

    /// <summary>Reads a secret without echo from a terminal; null when there is no terminal (then only stdin works).</summary>
    public Func<string, CancellationToken, Task<string?>>? PromptSecret { get; init; }

    /// <summary>Whether stdout is a terminal: colour only then (and never with <c>NO_COLOR</c> set or <c>--output json</c>).</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Whether stderr is a terminal (colour on progress and error lines).</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Columns of the terminal; null when unknown (then tables fit 120 columns).</summary>
    public int? TerminalWidth { get; init; }

    /// <summary>Working directory, where <c>appsettings.json</c> is looked for.</summary>
    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Clock of the engine (tests and the demo pass their own).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Last word on the services (tests: a Key Vault test server's clients, the simulator's endpoints).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>The real console: prompts without echo when stdin is a terminal.</summary>
    public static CliConsole FromProcess() => new()
    {
        In = Console.In,
        Out = Console.Out,
        Error = Console.Error,
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
        EnvironmentVariables = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.OrdinalIgnoreCase),
        PromptSecret = Console.IsInputRedirected ? null : ReadWithoutEcho,
        OutputIsTerminal = !Console.IsOutputRedirected,
        ErrorIsTerminal = !Console.IsErrorRedirected,
        TerminalWidth = Console.IsOutputRedirected ? null : WindowWidth(),
    };

    /// <summary>A copy with other services (progress logging) added before the caller's own, or another stdout.</summary>
    public CliConsole With(Action<IServiceCollection>? configure = null, TextWriter? output = null, TimeProvider? time = null) => new()
    {
        In = In,
        Out = output ?? Out,
        Error = Error,
        GetEnvironmentVariable = GetEnvironmentVariable,
        EnvironmentVariables = EnvironmentVariables,
        PromptSecret = PromptSecret,
        WorkingDirectory = WorkingDirectory,
        Time = time ?? Time,
        OutputIsTerminal = OutputIsTerminal,
        ErrorIsTerminal = ErrorIsTerminal,
        TerminalWidth = TerminalWidth,
        ConfigureServices = services =>
        {
            configure?.Invoke(services);
            ConfigureServices?.Invoke(services);
        },
    };

    private static int? WindowWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static Task<string?> ReadWithoutEcho(string prompt, CancellationToken cancellationToken)
    {
        Console.Error.Write(prompt);
        var text = new System.Text.StringBuilder();
        while (!cancellationToken.IsCancellationRequested)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }

                continue;
            }

            if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return Task.FromResult<string?>(text.ToString());
    }
}
