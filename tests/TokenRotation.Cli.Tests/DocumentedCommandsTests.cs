using System.Text.RegularExpressions;
using Testing.Shared;

namespace TokenRotation.Cli.Tests;

/// <summary>
/// Every <c>nstoken</c> command the documents name exists, with every option they give it: people run the README and the
/// guides as written, so a renamed command or option must fail here, not on an operator's first day.
/// </summary>
public sealed partial class DocumentedCommandsTests
{
    // Prose that starts with the word nstoken but is not a command line: the operator API's app registration name.
    private static readonly string[] NotCommands = ["operator"];

    public static TheoryData<string> Documents()
    {
        var root = RepositoryRoot.Find();
        var data = new TheoryData<string>();
        foreach (var path in DocumentPaths(root))
        {
            data.Add(Path.GetRelativePath(root, path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Every_nstoken_command_and_option_a_document_names_exists(string document)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), document));
        var problems = new List<string>();
        foreach (var line in CommandLines(text))
        {
            var problem = await CheckAsync(line);
            if (problem is not null)
            {
                problems.Add($"'{line}': {problem}");
            }
        }

        Assert.True(problems.Count == 0, $"{document} names commands or options nstoken does not have:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task A_command_or_option_that_does_not_exist_is_reported()
    {
        Assert.Null(await CheckAsync("nstoken rotate NAME --dry-run --local ./store"));
        Assert.NotNull(await CheckAsync("nstoken rotate NAME --no-such-option"));
        Assert.NotNull(await CheckAsync("nstoken no-such-command NAME"));
        Assert.NotNull(await CheckAsync("nstoken import no-such-kind NAME"));
    }

    [Fact]
    public void The_documents_name_commands_at_all()
    {
        var root = RepositoryRoot.Find();
        var lines = DocumentPaths(root).SelectMany(p => CommandLines(File.ReadAllText(p))).ToList();

        Assert.Contains(lines, l => l.StartsWith("nstoken import tba", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("nstoken status", StringComparison.Ordinal));
    }

    /// <summary>Null when the command exists and its help lists every option the line gives; otherwise what is wrong.</summary>
    private static async Task<string?> CheckAsync(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        var verb = words.FirstOrDefault() ?? "";
        if (!CommandWord().IsMatch(verb) || !Subcommands((await Cli.RunAsync(["--help"])).Stdout).Contains(verb))
        {
            return $"no command '{verb}'";
        }

        List<string> path = [verb];
        var help = (await Cli.RunAsync([.. path, "--help"])).Stdout;
        var subcommands = Subcommands(help);
        if (subcommands.Count > 0 && words.Count > 1 && CommandWord().IsMatch(words[1]))
        {
            if (!subcommands.Contains(words[1]))
            {
                return $"'nstoken {verb}' has no command '{words[1]}'";
            }

            path.Add(words[1]);
            help = (await Cli.RunAsync([.. path, "--help"])).Stdout;
        }

        foreach (var option in words.Where(w => w.StartsWith("--", StringComparison.Ordinal)).Select(w => w.Split('=')[0].TrimEnd(',', '.', ';', ']')))
        {
            // The documents show secret options on purpose, as what nstoken refuses.
            if (!Regex.IsMatch(help, $@"(^|[\s,]){Regex.Escape(option)}([\s,<=]|$)", RegexOptions.Multiline) && !SecretOption().IsMatch(option))
            {
                return $"'nstoken {string.Join(' ', path)}' has no option {option}";
            }
        }

        return null;
    }

    // The names in a help text's "Commands:" section.
    private static HashSet<string> Subcommands(string help)
    {
        var start = help.IndexOf("Commands:", StringComparison.Ordinal);
        return start < 0
            ? []
            : [.. HelpCommand().Matches(help[start..]).Select(m => m.Groups[1].Value)];
    }

    private static IEnumerable<string> CommandLines(string markdown) =>
        CommandLine().Matches(markdown)
            .Select(m => m.Value.Trim())
            .Where(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var verb, ..] && CommandWord().IsMatch(verb) && !NotCommands.Contains(verb))
            .Distinct();

    private static IEnumerable<string> DocumentPaths(string root) =>
        new[] { Path.Combine(root, "README.md"), Path.Combine(root, "infra", "README.md"), Path.Combine(root, "bench", "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md"))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal);

    // "nstoken" as a word, then the rest of the command up to the end of a code span, a comment, a table cell or the line.
    [GeneratedRegex(@"(?<![\w/-])nstoken [^`|#\n(]*")]
    private static partial Regex CommandLine();

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex CommandWord();

    [GeneratedRegex(@"^ {2}([a-z][a-z0-9-]*)\b", RegexOptions.Multiline)]
    private static partial Regex HelpCommand();

    [GeneratedRegex("^--([a-z-]*secret[a-z-]*|password|totp-secret|refresh-token|private-key)$")]
    private static partial Regex SecretOption();
}
