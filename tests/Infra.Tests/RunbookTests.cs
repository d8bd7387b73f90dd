using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>docs/runbook.md has an entry for every alert rule the template deploys: what it means, how to confirm it, how to fix it.</summary>
public sealed partial class RunbookTests
{
    private static string RunbookPath => Path.Combine(BicepCli.RepositoryPath, "docs", "runbook.md");

    [Fact]
    public async Task Every_alert_rule_in_the_template_has_a_runbook_entry_that_says_what_it_means_how_to_confirm_and_how_to_fix()
    {
        var rules = (await Scenarios.Complete()).OfType("Microsoft.Insights/scheduledQueryRules")
            .Select(r => r.At("properties").Str("displayName"))
            .ToList();
        Assert.NotEmpty(rules);
        Assert.True(File.Exists(RunbookPath), "docs/runbook.md is missing.");
        var sections = Sections(await File.ReadAllTextAsync(RunbookPath));

        var missing = rules.Where(rule => !sections.ContainsKey(rule)).ToList();
        Assert.True(missing.Count == 0, "No runbook entry (a '## <display name>' heading) for: " + string.Join(", ", missing));
        foreach (var rule in rules)
        {
            var body = sections[rule];
            Assert.True(body.Contains("**What it means**", StringComparison.Ordinal), $"{rule}: no 'What it means'.");
            Assert.True(body.Contains("**Confirm**", StringComparison.Ordinal), $"{rule}: no 'Confirm'.");
            Assert.True(body.Contains("**Fix**", StringComparison.Ordinal), $"{rule}: no 'Fix'.");
            Assert.True(body.Contains("```kql", StringComparison.Ordinal) || body.Contains("nstoken ", StringComparison.Ordinal), $"{rule}: no KQL query or nstoken command to confirm it.");
        }
    }

    [Fact]
    public void A_runbook_entry_is_found_only_under_its_own_heading()
    {
        var sections = Sections("# Runbook\n\n## Alpha\nmentions Beta in text\n\n## Gamma\n");

        Assert.True(sections.ContainsKey("Alpha"));
        Assert.True(sections.ContainsKey("Gamma"));
        Assert.False(sections.ContainsKey("Beta"));
    }

    [Fact]
    public async Task The_readmes_link_the_runbook()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(BicepCli.RepositoryPath, "README.md"));
        var infra = await File.ReadAllTextAsync(Path.Combine(BicepCli.InfraPath, "README.md"));

        Assert.Contains("(docs/runbook.md)", readme, StringComparison.Ordinal);
        Assert.Contains("(../docs/runbook.md)", infra, StringComparison.Ordinal);
    }

    // "## Title" or "## Title (`-suffix`)" headings, each with the text up to the next heading of level 1 or 2.
    private static Dictionary<string, string> Sections(string markdown)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var matches = Heading().Matches(markdown);
        for (var i = 0; i < matches.Count; i++)
        {
            var start = matches[i].Index + matches[i].Length;
            var end = i + 1 < matches.Count ? matches[i + 1].Index : markdown.Length;
            var title = Suffix().Replace(matches[i].Groups[1].Value.Trim(), "");
            result[title] = markdown[start..end];
        }

        return result;
    }

    [GeneratedRegex(@"^#{1,2} (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"\s*\(`[^`]*`\)$")]
    private static partial Regex Suffix();
}
