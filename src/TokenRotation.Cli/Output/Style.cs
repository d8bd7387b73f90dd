namespace TokenRotation.Cli.Output;

/// <summary>
/// Colour for a stream: plain ANSI SGR codes, only when the stream is a terminal, <c>NO_COLOR</c> is not set (any
/// value, even empty, turns colour off) and <c>TERM</c> is not <c>dumb</c>. Colour only repeats what the words say
/// (state names, "needs a person"), so nothing is lost without it.
/// </summary>
public sealed class Style
{
    private Style(bool enabled) => Enabled = enabled;

    public static Style None { get; } = new(false);

    public bool Enabled { get; }

    public static Style For(CliConsole console, bool isTerminal)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (!isTerminal || Environment(console, "NO_COLOR") is not null)
        {
            return None;
        }

        return string.Equals(Environment(console, "TERM"), "dumb", StringComparison.Ordinal) ? None : new Style(true);
    }

    public string Bold(string text) => Wrap(text, "1");

    public string Red(string text) => Wrap(text, "31");

    public string Green(string text) => Wrap(text, "32");

    public string Yellow(string text) => Wrap(text, "33");

    public string Dim(string text) => Wrap(text, "2");

    /// <summary>A connection state in its colour: healthy green, a person needed red, work in progress or failing yellow.</summary>
    public string State(string state, string text) => state switch
    {
        "Healthy" => Green(text),
        "NeedsPerson" => Red(text),
        "Rotating" or "Failing" or "Degraded" or "Unproven" => Yellow(text),
        _ => text,
    };

    private string Wrap(string text, string code) => Enabled && text.Length > 0 ? $"\u001b[{code}m{text}\u001b[0m" : text;

    private static string? Environment(CliConsole console, string name) =>
        console.GetEnvironmentVariable(name) ?? (console.EnvironmentVariables is { } variables && variables.TryGetValue(name, out var value) ? value ?? "" : null);
}
