using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Cli.Commands;

/// <summary><c>nstoken status</c>: every connection, what needs a person first; <c>--json</c> for scripts.</summary>
internal static class StatusCommand
{
    public static Command Create(CliConsole console, GlobalOptions global)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (an array of connections) instead of a table." };
        var command = new Command("status", "Show every connection: kind, account, state, expiries, last rotation, last error, next action, possible orphans. What needs a person comes first. Exit code 3 when any connection needs a person.")
        {
            json,
        };
        command.SetAction((parse, ct) => CommandSupport.RunAsync(console, global, parse, async (services, token) =>
        {
            var views = await services.GetRequiredService<ConnectionStatusQuery>().StatusAsync(token).ConfigureAwait(false);
            var time = services.GetRequiredService<TimeProvider>();
            if (parse.GetValue(json))
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(views, JsonOptions)).ConfigureAwait(false);
            }
            else
            {
                await console.Out.WriteAsync(Render(views, time)).ConfigureAwait(false);
            }

            return views.Any(v => v.State == ConnectionStatus.NeedsPerson) ? ExitCodes.NeedsPerson : ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The status table, then what a person must do and the possible orphans. Holds no secret.</summary>
    public static string Render(IReadOnlyList<ConnectionStatusView> views, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(time);
        var text = new StringBuilder();
        if (views.Count == 0)
        {
            text.AppendLine("No connections yet. Add one with `nstoken import`, or try `nstoken demo`.");
            return text.ToString();
        }

        string[] header = ["NAME", "KIND", "ACCOUNT", "STATE", "CREDENTIAL EXPIRES", "REFRESH/CERT ENDS", "LAST ROTATION", "NEXT ACTION", "LAST ERROR"];
        var rows = views.Select(v => new[]
        {
            v.Name,
            CommandSupport.KindName(v.Kind),
            v.Account.Length > 0 ? v.Account : "(at consent)",
            v.State == ConnectionStatus.Healthy && v.RotationCredentialsUnproven ? "Unproven" : v.State.ToString(),
            Short(v.CredentialExpiresAt, time),
            Short(v.RefreshExpiresAt, time),
            Short(v.LastRotationAt, time),
            v.State == ConnectionStatus.NeedsPerson && (v.NextActionAt is null || v.NextActionAt <= time.GetUtcNow()) ? "a person" : Short(v.NextActionAt, time),
            v.LastErrorClass is null ? "-" : $"{v.LastErrorClass}",
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        AppendRow(text, header, widths);
        AppendRow(text, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        var people = views.Where(v => v.State == ConnectionStatus.NeedsPerson || v.NeedsPersonReason is not null).ToList();
        if (people.Count > 0)
        {
            text.AppendLine().AppendLine("Needs a person:");
            foreach (var v in people)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {v.Name}: {v.NeedsPersonReason ?? v.LastErrorMessage ?? "see `nstoken doctor " + v.Name + "`"}");
                if (v.Kind == ConnectionKind.OAuth2AuthorizationCode)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"    consent link: nstoken consent-link {v.Name}");
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
            text.AppendLine().AppendLine("Last errors:");
            foreach (var v in failing)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {v.Name} ({v.LastErrorClass}): {v.LastErrorMessage}");
            }
        }

        var orphans = views.Where(v => v.PossibleOrphans.Count > 0).ToList();
        if (orphans.Count > 0)
        {
            text.AppendLine().AppendLine("Possible orphans (tokens NetSuite may have issued without our seeing them; revoke them in NetSuite):");
            foreach (var v in orphans)
            {
                foreach (var orphan in v.PossibleOrphans)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  {v.Name}: {orphan}");
                }
            }
        }

        return text.ToString();
    }

    private static string Short(DateTimeOffset? at, TimeProvider time)
    {
        if (at is not { } value)
        {
            return "-";
        }

        if (value == DateTimeOffset.MinValue)
        {
            return "now";
        }

        return $"{value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} ({CommandSupport.Relative(value - time.GetUtcNow())})";
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        text.AppendLine();
    }
}
