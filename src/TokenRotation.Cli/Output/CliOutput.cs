using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TokenRotation.Cli.Output;

/// <summary>
/// How one invocation prints: the format (<c>--output</c>), colour per stream, the width tables wrap to, and the
/// options the user gave (<c>--local</c>, <c>--settings</c>) that every next-step hint repeats.
/// </summary>
public sealed partial class CliOutput
{
    private CliOutput(CliConsole console, OutputFormat format, string suffix)
    {
        Console = console;
        Format = format;
        OptionsGiven = suffix;
        Colour = format == OutputFormat.Json ? Style.None : Style.For(console, console.OutputIsTerminal);
        ErrorColour = Style.For(console, console.ErrorIsTerminal);
        Width = console.TerminalWidth is > 40 and var w ? w : TextLayout.DefaultWidth;
    }

    public CliConsole Console { get; }

    public OutputFormat Format { get; }

    public bool Json => Format == OutputFormat.Json;

    /// <summary>Colour on stdout (never with JSON).</summary>
    public Style Colour { get; }

    /// <summary>Colour on stderr.</summary>
    public Style ErrorColour { get; }

    public int Width { get; }

    /// <summary>" --local DIR --settings FILE" as given (empty when neither was).</summary>
    public string OptionsGiven { get; }

    public static CliOutput For(CliConsole console, ParseResult parse, GlobalOptions global)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(global);
        var suffix = "";
        if (parse.GetValue(global.Local) is { } local)
        {
            suffix += " --local " + Quote(local);
        }

        if (parse.GetValue(global.Settings) is { } settings)
        {
            suffix += " --settings " + Quote(settings);
        }

        return new CliOutput(console, OutputOptions.From(parse), suffix);
    }

    /// <summary>For commands without <c>--local</c> and <c>--settings</c> (sign, demo).</summary>
    public static CliOutput For(CliConsole console, ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(parse);
        return new CliOutput(console, OutputOptions.From(parse), "");
    }

    /// <summary>A command line to suggest: <c>nstoken ARGS</c> with the user's --local and --settings.</summary>
    public string Command(string arguments) => $"nstoken {arguments}{OptionsGiven}";

    /// <summary>Rewrites every <c>`nstoken ...`</c> in a message (the engine's too) to repeat the user's options.</summary>
    public string Hints(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return OptionsGiven.Length == 0 ? text : SuggestedCommand().Replace(text, m => m.Value.Contains(OptionsGiven, StringComparison.Ordinal)
            ? m.Value
            : $"{m.Value[0]}{m.Groups["command"].Value}{OptionsGiven}{m.Value[^1]}");
    }

    public async Task WriteJsonAsync<T>(T value)
    {
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(value, CliJson.Options)).ConfigureAwait(false);
    }

    /// <summary>A progress or status line on stderr (both formats: stdout stays the result).</summary>
    public Task ProgressAsync(string text) => Console.Error.WriteLineAsync(ErrorColour.Dim(text));

    private static string Quote(string value) => value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '`') ? "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : value;

    // `nstoken ...` or (nstoken ...), the two ways messages quote a command.
    [GeneratedRegex(@"`(?<command>nstoken [^`]+)`|\((?<command>nstoken [^()]+)\)")]
    private static partial Regex SuggestedCommand();
}
