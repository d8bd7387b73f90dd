using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TokenRotation.Cli.Commands;

/// <summary>
/// <c>nstoken config --from-azd FILE|-</c>: turns the deployment's outputs (<c>azd env get-values</c>) into the
/// CLI's settings file, so nstoken talks to the same vaults, storage and NetSuite endpoints with the same rotation
/// settings as the deployed app.
/// </summary>
internal static class ConfigCommand
{
    /// <summary>Sections whose <c>Section__Name</c> outputs are nstoken settings (infra/main.bicep outputs them all).</summary>
    private static readonly string[] Sections = ["TokenRotation", "KeyVault", "Storage", "Coordination", "Rotation", "NetSuite"];

    /// <summary>Flat settings nstoken reads (the queue trigger needs this one flat).</summary>
    private static readonly string[] FlatSettings = ["WorkQueueName"];

    /// <summary>
    /// Never copied: the app's managed identity would make nstoken try to sign in as the app instead of the operator.
    /// </summary>
    private static readonly string[] Excluded = ["KeyVault__ManagedIdentityClientId"];

    /// <summary>Without these the file would not reach the deployment.</summary>
    internal static readonly string[] Required =
    [
        "KeyVault__StateVaultUri", "KeyVault__ConsumerVaultUri", "Storage__BlobServiceUri", "Storage__QueueServiceUri", "Storage__TableServiceUri",
        "TokenRotation__PublicBaseUrl",
    ];

    public static Command Create(CliConsole console)
    {
        var fromAzd = new Option<string>("--from-azd")
        {
            Description = "The output of `azd env get-values` (KEY=\"VALUE\" lines): a file, or - for standard input.",
            HelpName = "FILE|-",
            Required = true,
        };
        var output = new Option<string?>("--out")
        {
            Description = "Where to write the settings (default: appsettings.json in the current folder, which nstoken reads by itself).",
            HelpName = "FILE",
        };
        var force = new Option<bool>("--force") { Description = "Replace the settings file if it exists." };
        var command = new Command("config", """
            Write nstoken's settings for an Azure deployment from its outputs: `azd env get-values | nstoken config --from-azd -`.
            Takes the vault and storage endpoints, table, queue and container names, the public URL, the rotation settings and
            NetSuite's URLs (no secret is among them); nstoken then signs in as you (az login).
            """)
        {
            fromAzd, output, force,
        };
        command.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(fromAzd)!;
            string text;
            if (source == "-")
            {
                text = await console.In.ReadToEndAsync(ct).ConfigureAwait(false);
            }
            else
            {
                var path = Path.GetFullPath(source, console.WorkingDirectory);
                if (!File.Exists(path))
                {
                    await console.Error.WriteLineAsync($"--from-azd: the file {path} does not exist. Write it with `azd env get-values > FILE`, or pipe it: `azd env get-values | nstoken config --from-azd -`.").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }

                text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            }

            if (!TryParse(text, out var values, out var problem))
            {
                await console.Error.WriteLineAsync($"--from-azd: {problem}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var settings = values.Where(v => IsSetting(v.Key)).OrderBy(v => v.Key, StringComparer.Ordinal).ToList();
            var missing = Required.Where(r => !settings.Any(s => s.Key == r && s.Value.Length > 0)).ToList();
            if (missing.Count > 0)
            {
                await console.Error.WriteLineAsync(
                    $"--from-azd: {string.Join(", ", missing)} missing: this is not the output of an azd environment provisioned with this repository's infra/ (run `azd provision` first, then `azd env get-values` in the project folder).")
                    .ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            foreach (var (key, value) in settings.Where(s => s.Key.EndsWith("Uri", StringComparison.Ordinal) || s.Key == "TokenRotation__PublicBaseUrl"))
            {
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
                {
                    await console.Error.WriteLineAsync($"--from-azd: {key} is '{value}', not an https URL.").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
            }

            var target = Path.GetFullPath(parse.GetValue(output) ?? "appsettings.json", console.WorkingDirectory);
            if (File.Exists(target) && !parse.GetValue(force))
            {
                await console.Error.WriteLineAsync($"--out: {target} exists; pass --force to replace it, or --out another file.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var json = new JsonObject();
            foreach (var (key, value) in settings)
            {
                var parts = key.Split("__");
                var node = json;
                foreach (var part in parts[..^1])
                {
                    node = node[part] as JsonObject ?? (JsonObject)(node[part] = new JsonObject());
                }

                node[parts[^1]] = value;
            }

            // Written beside the target, then moved: a half-written settings file is never read.
            var temporary = target + ".tmp";
            await File.WriteAllTextAsync(temporary, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", ct).ConfigureAwait(false);
            File.Move(temporary, target, overwrite: true);

            var usage = Path.GetFileName(target) == "appsettings.json" && Path.GetDirectoryName(target) == Path.GetFullPath(console.WorkingDirectory)
                ? "nstoken reads it when run from this folder"
                : $"pass --settings {target} to nstoken";
            await console.Out.WriteLineAsync($"Wrote {settings.Count} settings to {target}.").ConfigureAwait(false);
            await console.Error.WriteLineAsync(
                $"State vault {Value(settings, "KeyVault__StateVaultUri")}, consumer vault {Value(settings, "KeyVault__ConsumerVaultUri")}, app {Value(settings, "TokenRotation__PublicBaseUrl")}. "
                + $"Sign in with `az login` (your account needs the operators' roles), then {usage}: `nstoken status`.").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Reads <c>azd env get-values</c> output: <c>KEY="VALUE"</c> lines (azd quotes every value and escapes
    /// <c>\"</c> and <c>\\</c>); unquoted values and blank or <c>#</c> lines are accepted too.
    /// </summary>
    internal static bool TryParse(string text, out Dictionary<string, string> values, out string? problem)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = null;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !line[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                problem = $"line {number} is not KEY=\"VALUE\" (is this the output of `azd env get-values`?).";
                return false;
            }

            var value = line[(equals + 1)..];
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                var unescaped = new StringBuilder();
                for (var i = 1; i < value.Length - 1; i++)
                {
                    if (value[i] == '\\' && i + 1 < value.Length - 1 && value[i + 1] is '"' or '\\')
                    {
                        i++;
                    }

                    unescaped.Append(value[i]);
                }

                value = unescaped.ToString();
            }

            values[line[..equals]] = value;
        }

        if (values.Count == 0)
        {
            problem = "no KEY=\"VALUE\" lines (is this the output of `azd env get-values`?).";
            return false;
        }

        return true;
    }

    private static bool IsSetting(string key) =>
        !Excluded.Contains(key, StringComparer.Ordinal)
        && (FlatSettings.Contains(key, StringComparer.Ordinal) || Sections.Any(s => key.StartsWith(s + "__", StringComparison.Ordinal) && key.Length > s.Length + 2));

    private static string Value(List<KeyValuePair<string, string>> settings, string key) => settings.First(s => s.Key == key).Value;
}
