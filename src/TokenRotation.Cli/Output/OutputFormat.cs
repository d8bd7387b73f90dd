using System.CommandLine;

namespace TokenRotation.Cli.Output;

/// <summary>How a command prints its result: a table (or text) for people, JSON for scripts.</summary>
public enum OutputFormat
{
    Table,
    Json,
}

/// <summary>The <c>--output</c> option (and <c>--json</c>, kept for scripts written for <c>status --json</c>), on every command.</summary>
public sealed class OutputOptions
{
    public const string OutputName = "--output";
    public const string JsonName = "--json";

    public Option<string> Output { get; } = MakeOutput();

    public Option<bool> Json { get; } = new(JsonName)
    {
        Description = "Same as --output json.",
        Recursive = true,
    };

    /// <summary>The format the command line asked for; <c>--json</c> wins over the default table.</summary>
    public static OutputFormat From(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (Find(parse, JsonName) && parse.GetValue<bool>(JsonName))
        {
            return OutputFormat.Json;
        }

        return Find(parse, OutputName) && string.Equals(parse.GetValue<string>(OutputName), "json", StringComparison.OrdinalIgnoreCase)
            ? OutputFormat.Json
            : OutputFormat.Table;
    }

    private static Option<string> MakeOutput()
    {
        var option = new Option<string>(OutputName, "-o")
        {
            Description = "table (for people; the default) or json (for scripts: one JSON document on stdout, shapes in docs/cli.md). Messages and progress go to stderr either way.",
            HelpName = "table|json",
            Recursive = true,
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }

    // GetValue by name throws when the command tree has no such option (commands built outside NsTokenApp, in tests).
    private static bool Find(ParseResult parse, string name)
    {
        var command = parse.CommandResult.Command;
        while (command is not null)
        {
            if (command.Options.Any(o => o.Name == name))
            {
                return true;
            }

            command = command.Parents.OfType<Command>().FirstOrDefault();
        }

        return false;
    }
}
