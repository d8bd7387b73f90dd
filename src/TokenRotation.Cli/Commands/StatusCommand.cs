using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Cli.Output;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Cli.Commands;

/// <summary><c>nstoken status</c>: every connection, what needs a person first; <c>--output json</c> for scripts.</summary>
internal static class StatusCommand
{
    public static Command Create(CliConsole console, GlobalOptions global)
    {
        var command = new Command("status", "Show every connection: kind, account, state, expiries, last rotation, last error, next action, possible orphans. What needs a person comes first. Exit code 3 when any connection needs a person.");
        command.SetAction((parse, ct) => CommandSupport.RunAsync(console, global, parse, async (services, token) =>
        {
            var output = CliOutput.For(console, parse, global);
            var views = await services.GetRequiredService<ConnectionStatusQuery>().StatusAsync(token).ConfigureAwait(false);
            var time = services.GetRequiredService<TimeProvider>();
            if (output.Json)
            {
                var now = time.GetUtcNow();
                await output.WriteJsonAsync(views.Select(v => StatusConnectionJson.From(v, now)).ToList()).ConfigureAwait(false);
            }
            else
            {
                await console.Out.WriteAsync(Render(views, time, output)).ConfigureAwait(false);
            }

            return views.Any(v => v.State == ConnectionStatus.NeedsPerson) ? ExitCodes.NeedsPerson : ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>The status table at 120 columns without colour (the demo prints it).</summary>
    public static string Render(IReadOnlyList<ConnectionStatusView> views, TimeProvider time, string hintOptions = "") =>
        Render(views, time, TextLayout.DefaultWidth, Style.None, args => $"nstoken {args}{hintOptions}");

    public static string Render(IReadOnlyList<ConnectionStatusView> views, TimeProvider time, CliOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return Render(views, time, output.Width, output.Colour, output.Command);
    }

    /// <summary>The status table, then what a person must do and the possible orphans. Holds no secret.</summary>
    public static string Render(IReadOnlyList<ConnectionStatusView> views, TimeProvider time, int width, Style style, Func<string, string> command)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(style);
        ArgumentNullException.ThrowIfNull(command);
        var text = new StringBuilder();
        if (views.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"No connections yet. Add one with `{command("import")}`, or try `nstoken demo`.\n");
            return text.ToString();
        }

        var now = time.GetUtcNow();
        string[] header = ["NAME", "KIND", "ACCOUNT", "STATE", "CREDENTIAL EXPIRES", "REFRESH/CERT ENDS", "LAST ROTATION", "NEXT ACTION", "LAST ERROR"];
        var rows = views.Select(v => new[]
        {
            v.Name,
            ConnectionKindNames.Display(v.Kind),
            v.Account.Length > 0 ? v.Account : "(at consent)",
            v.State == ConnectionStatus.Healthy && v.RotationCredentialsUnproven ? "Unproven" : v.State.ToString(),
            Short(v.CredentialExpiresAt, now),
            Short(v.RefreshExpiresAt, now),
            Short(v.LastRotationAt, now),
            v.State == ConnectionStatus.NeedsPerson && (v.NextActionAt is null || v.NextActionAt <= now) ? "a person" : Short(v.NextActionAt, now),
            v.LastErrorClass ?? "-",
        }).ToList();
        text.Append(TextLayout.Table(header, rows, width, (column, cell, padded) => column switch
        {
            3 => style.State(cell, padded),
            7 when cell == "a person" => style.Red(padded),
            8 when cell != "-" => style.Yellow(padded),
            _ => padded,
        }));

        var people = views.Where(v => v.State == ConnectionStatus.NeedsPerson || v.NeedsPersonReason is not null).ToList();
        if (people.Count > 0)
        {
            text.Append('\n').Append(style.Bold(style.Red("Needs a person:"))).Append('\n');
            foreach (var v in people)
            {
                text.Append(TextLayout.Indent($"{v.Name}: {v.NeedsPersonReason ?? v.LastErrorMessage ?? "see `" + command("doctor " + v.Name) + "`"}", width, "  ", "    "));
                if (v.Kind == ConnectionKind.OAuth2AuthorizationCode)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    consent link: `{command("consent-link " + v.Name)}`\n");
                }
            }
        }

        var unproven = views.Where(v => v.RotationCredentialsUnproven && v.State != ConnectionStatus.NeedsPerson).ToList();
        if (unproven.Count > 0)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Unproven ({RotationProof.UnprovenText}):");
            foreach (var v in unproven)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {v.Name}: {RotationProof.Advice(v.Name)}");
            }
        }

        var failing = views.Where(v => v.LastErrorMessage is not null && v.State != ConnectionStatus.NeedsPerson).ToList();
        if (failing.Count > 0)
        {
            text.Append('\n').Append(style.Bold("Last errors:")).Append('\n');
            foreach (var v in failing)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {v.Name} ({v.LastErrorClass}):\n");
                text.Append(CommandSupport.Action(v.LastErrorMessage!, width).Replace("  - ", "    ", StringComparison.Ordinal));
            }
        }

        var orphans = views.Where(v => v.PossibleOrphans.Count > 0).ToList();
        if (orphans.Count > 0)
        {
            text.Append('\n').Append(style.Bold("Possible orphans")).Append(" (tokens NetSuite may have issued without our seeing them; revoke them in NetSuite):\n");
            foreach (var v in orphans)
            {
                foreach (var orphan in v.PossibleOrphans)
                {
                    text.Append(TextLayout.Indent($"{v.Name}: {orphan}", width, "  ", "    "));
                }
            }
        }

        return text.ToString();
    }

    // Date and relative time; the table wraps the relative part under the date when the column is narrow.
    private static string Short(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } value)
        {
            return "-";
        }

        if (value == DateTimeOffset.MinValue)
        {
            return "now";
        }

        return $"{value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} ({CommandSupport.Relative(value - now)})";
    }
}
