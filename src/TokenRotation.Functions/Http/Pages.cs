using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Engine;
using TokenRotation.Functions.Status;

namespace TokenRotation.Functions.Http;

/// <summary>
/// The small HTML pages of the consent flow and the status page. Every value is HTML-encoded, whatever its origin;
/// no page carries a token, a code or a secret. No script, font or image is loaded (the policy forbids it): the
/// timeline is inline SVG, and everything a colour says is also said in words or shapes.
/// </summary>
internal static class Pages
{
    /// <summary>How far ahead the status page's timeline looks.</summary>
    public static readonly TimeSpan TimelineSpan = TimeSpan.FromDays(14);

    private const string Style =
        "*{box-sizing:border-box}" +
        "body{font-family:system-ui,sans-serif;max-width:76rem;margin:1.5em auto;padding:0 1em;line-height:1.4;color:#1a1a1a}" +
        "code{font-family:ui-monospace,monospace;background:#f2f2f2;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}" +
        "table{border-collapse:collapse;width:100%;table-layout:fixed}" +
        "th,td{border:1px solid #ccc;padding:.3em .45em;text-align:left;vertical-align:top;overflow-wrap:anywhere;font-size:.92em}" +
        "th{background:#f4f4f4}.needs-person td:first-child{border-left:4px solid #b3261e}" +
        ".tasks{padding-left:1.4em}.tasks li{margin:.5em 0;padding:.4em .6em;border:1px solid #e0b4ae;border-left:4px solid #b3261e;background:#fff6f4;list-style:decimal}" +
        ".tag{display:inline-block;font-size:.8em;font-weight:600;padding:0 .4em;border:1px solid currentColor;border-radius:3px;margin-right:.4em}" +
        ".action{display:block;margin-top:.2em}.rel{color:#555}" +
        ".timeline svg{width:100%;height:auto;display:block}" +
        ".banner{display:flex;gap:.8em;align-items:center;padding:.8em 1em;border:2px solid;border-radius:6px;margin-bottom:1em}" +
        ".banner .icon{font-size:2em;line-height:1;font-weight:700}.banner h1{margin:0;font-size:1.5em}" +
        ".banner .label{font-weight:600;font-size:.85em;text-transform:uppercase;letter-spacing:.04em}" +
        ".success{border-color:#1e7b34;background:#eef8f0;color:#14541f}.failure{border-color:#b3261e;background:#fff3f1;color:#7a1912}" +
        ".button{display:inline-block;padding:.5em 1em;border-radius:5px;background:#1f4e8c;color:#fff;text-decoration:none;font-weight:600}" +
        ".next{font-weight:bold}.who{color:#333}";

    public static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    /// <summary>
    /// Text whose commands are quoted with backticks (the engine's messages, shared with the CLI): the commands become
    /// code elements, so no page shows Markdown.
    /// </summary>
    public static string Inline(string? text)
    {
        var parts = (text ?? "").Split('`');
        if (parts.Length % 2 == 0)
        {
            // An unpaired backtick: show the text as it is, minus the stray quote.
            return E((text ?? "").Replace("`", "", StringComparison.Ordinal));
        }

        var html = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            html.Append(i % 2 == 1 ? "<code>" + E(parts[i]) + "</code>" : E(parts[i]));
        }

        return html.ToString();
    }

    public static string ConsentResult(ConsentResult result, string? retryLink = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Message(result.Title, result.Message, result.NextStep, result.Kind.ToString(),
            result.Kind == ConsentOutcomeKind.Connected, retryLink, result.Connection);
    }

    public static string ConsentStartProblem(ConsentStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return Message(start.Title, start.Message, start.NextStep, start.Status.ToString(), success: false, retryLink: null, connection: null);
    }

    /// <summary>
    /// A page that says what happened and what to do next: a banner whose icon, label and heading say success or
    /// failure (the colour only repeats it), the message, the next step, and "Try again" when the page has a fresh link.
    /// </summary>
    public static string Message(string title, string message, string nextStep, string outcome, bool success = false, string? retryLink = null, string? connection = null)
    {
        var html = Begin(title);
        html.Append("<main data-outcome=\"").Append(E(outcome)).Append("\" data-result=\"").Append(success ? "success" : "failure").Append("\">\n")
            .Append("<div class=\"banner ").Append(success ? "success" : "failure").Append("\" role=\"status\">")
            .Append("<span class=\"icon\" aria-hidden=\"true\">").Append(success ? "&#10004;" : "&#10008;").Append("</span><div>")
            .Append("<div class=\"label\">").Append(success ? "Done" : "Not done").Append("</div>")
            .Append("<h1>").Append(E(title)).Append("</h1></div></div>\n")
            .Append("<p id=\"message\">").Append(Inline(message)).Append("</p>\n")
            .Append("<p id=\"next\" class=\"next\">").Append(Inline(nextStep)).Append("</p>\n");
        if (retryLink is not null && IsWebLink(retryLink))
        {
            html.Append("<p><a id=\"retry\" class=\"button\" href=\"").Append(E(retryLink)).Append("\">Try again</a> ")
                .Append("(starts a new consent for ").Append(E(connection)).Append(")</p>\n");
        }
        else if (!success && connection is not null && !nextStep.Contains("operator", StringComparison.Ordinal))
        {
            html.Append("<p id=\"who\" class=\"who\">If your link no longer works, ask an operator of the token service for a new one: they make it with ")
                .Append("<code>nstoken consent-link ").Append(E(connection)).Append("</code>.</p>\n");
        }

        html.Append("</main>\n");
        return End(html);
    }

    public static string Status(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var now = report.GeneratedAt;
        var tasks = report.PersonTasks;
        var needing = report.NeedingAPerson.Count();
        var html = Begin($"{report.Service}: NetSuite connections");
        html.Append("<h1>").Append(E(report.Service)).Append(": NetSuite connections</h1>\n<p id=\"summary\">")
            .Append(E(StatusReportBuilder.Plural(report.Connections.Count, "connection"))).Append(", ")
            .Append(E(needing == 1 ? "1 needs a person" : $"{needing} need a person")).Append(", ")
            .Append(E(StatusReportBuilder.Plural(report.PoisonedWork.Count, "poisoned work item"))).Append(". Generated ").Append(Time(now, now)).Append(".</p>\n");

        html.Append("<section id=\"needs-person\">\n<h2>Needs a person</h2>\n");
        if (tasks.Count == 0)
        {
            html.Append("<p>Nobody is needed right now.</p>\n");
        }
        else
        {
            html.Append("<ol class=\"tasks\">\n");
            foreach (var task in tasks)
            {
                html.Append("<li class=\"needs-person\" data-task=\"").Append(E(task.Kind.ToString())).Append('"');
                if (task.Connection is { } connection)
                {
                    html.Append(" data-connection=\"").Append(E(connection)).Append('"');
                }

                html.Append("><span class=\"tag\">").Append(E(TaskLabel(task.Kind))).Append("</span>");
                if (task.Connection is not null)
                {
                    html.Append("<strong>").Append(E(task.Connection)).Append("</strong>");
                    if (!string.IsNullOrEmpty(task.Account))
                    {
                        html.Append(" (account ").Append(E(task.Account)).Append(')');
                    }

                    html.Append(": ");
                }

                html.Append(Inline(task.Problem)).Append("<span class=\"action\"><strong>What to do:</strong> ").Append(Inline(task.Action));
                if (task.Link is { } link && IsWebLink(link))
                {
                    html.Append(" <a class=\"consent-link\" href=\"").Append(E(link)).Append("\">Open the consent link for ").Append(E(task.Connection)).Append("</a>");
                }

                html.Append("</span></li>\n");
            }

            html.Append("</ol>\n");
        }

        html.Append("</section>\n");

        Timeline(html, report);

        html.Append("<section id=\"connections\">\n<h2>All connections</h2>\n<table>\n")
            .Append("<colgroup><col style=\"width:14%\"><col style=\"width:10%\"><col style=\"width:10%\"><col style=\"width:8%\">")
            .Append("<col style=\"width:15%\"><col style=\"width:11%\"><col style=\"width:12%\"><col style=\"width:20%\"></colgroup>\n")
            .Append("<thead><tr><th>Name</th><th>Kind</th><th>Account</th><th>State</th><th>Expires</th><th>Last rotation</th>")
            .Append("<th>Next action</th><th>Last error and possible orphans</th></tr></thead>\n<tbody>\n");
        foreach (var entry in report.Connections)
        {
            var view = entry.Connection;
            html.Append("<tr").Append(entry.NeedsPerson ? " class=\"needs-person\"" : "").Append(" data-connection=\"").Append(E(view.Name)).Append("\">")
                .Append(Cell(view.Name)).Append(Cell(entry.KindName)).Append(Cell(view.Account)).Append(Cell(StateName(view.State)))
                .Append("<td>").Append(Expiries(view, now)).Append("</td>")
                .Append("<td>").Append(Time(view.LastRotationAt, now)).Append("</td>")
                .Append("<td>").Append(Time(view.NextActionAt, now)).Append(view.RotationStep is { } step ? E($" ({RotationStepName(step)})") : "").Append("</td>")
                .Append("<td>").Append(view.LastErrorClass is null ? "" : E($"{ErrorClassName(view.LastErrorClass)}: {view.LastErrorMessage}"));
            if (view.PossibleOrphans.Count > 0)
            {
                html.Append(view.LastErrorClass is null ? "" : "<br>").Append("Possible orphans: ").Append(E(string.Join("; ", view.PossibleOrphans)));
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
        return End(html);
    }

    private static string TaskLabel(PersonTaskKind kind) => kind switch
    {
        PersonTaskKind.Consent => "Consent",
        PersonTaskKind.CredentialsRefused => "Password refused",
        PersonTaskKind.IntegrationBlocked => "Integration blocked",
        PersonTaskKind.PossibleOrphan => "Possible orphan",
        PersonTaskKind.PoisonedWork => "Work given up",
        _ => "Needs a person",
    };

    /// <summary>The engine's error classes as people say them.</summary>
    private static string ErrorClassName(string errorClass) => errorClass switch
    {
        "Transient" => "Temporary, retried",
        "Ambiguous" => "Answer lost",
        "NeedsPerson" => "Needs a person",
        "Unexpected" => "Unexpected",
        _ => errorClass,
    };

    private static string StateName(ConnectionStatus state) => state switch
    {
        ConnectionStatus.NeedsPerson => "Needs a person",
        ConnectionStatus.Failing => "Failing (retrying)",
        _ => state.ToString(),
    };

    /// <summary>Where a rotation stands, as people say it (the engine's step names are internal).</summary>
    private static string RotationStepName(string step) => step switch
    {
        nameof(RotationStep.Intent) => "a rotation is starting",
        nameof(RotationStep.Issued) => "checking the new credential",
        nameof(RotationStep.Promoted) => "new credential in use; the old one is revoked after the grace period",
        _ => "a rotation is in progress",
    };

    private static string Expiries(ConnectionStatusView view, DateTimeOffset now)
    {
        var credential = view.Kind switch
        {
            ConnectionKind.OAuth2ClientCredentials => "Access token",
            ConnectionKind.Tba => "Token",
            _ => "Access token",
        };
        var parts = new List<string>();
        if (view.CredentialExpiresAt is not null)
        {
            parts.Add(E(credential + ": ") + Time(view.CredentialExpiresAt, now));
        }
        else if (view.Kind == ConnectionKind.Tba)
        {
            parts.Add("Token: does not expire");
        }

        if (view.RefreshExpiresAt is not null)
        {
            parts.Add("Refresh token: " + Time(view.RefreshExpiresAt, now));
        }

        return string.Join("<br>", parts);
    }

    private static string Cell(string value) => "<td>" + E(value) + "</td>";

    /// <summary>A time in UTC with how far it is from now beside it ("in 3 h").</summary>
    private static string Time(DateTimeOffset? value, DateTimeOffset now) =>
        value is not { } at
            ? ""
            : "<time class=\"time\" datetime=\"" + E(at.ToString("O", CultureInfo.InvariantCulture)) + "\">" +
              E(at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)) + " UTC</time> <span class=\"rel\">(" + E(Relative(at, now)) + ")</span>";

    /// <summary>"in 3 h", "2 days ago", "now": the largest unit that says it, rounded down, with correct plurals.</summary>
    public static string Relative(DateTimeOffset at, DateTimeOffset now)
    {
        var delta = at - now;
        var span = delta.Duration();
        string amount;
        if (span < TimeSpan.FromMinutes(1))
        {
            return "now";
        }
        else if (span < TimeSpan.FromHours(1))
        {
            amount = $"{(int)span.TotalMinutes} min";
        }
        else if (span < TimeSpan.FromHours(48))
        {
            amount = $"{(int)span.TotalHours} h";
        }
        else
        {
            amount = StatusReportBuilder.Plural((int)span.TotalDays, "day");
        }

        return delta > TimeSpan.Zero ? "in " + amount : amount + " ago";
    }

    private sealed record TimelineRow(string Label, string? Connection, IReadOnlyList<(DateTimeOffset At, string Text, char Shape)> Marks);

    /// <summary>
    /// The next 14 days as an SVG drawn here (no script, no font): a row per connection with an event in range, the
    /// NetSuite milestones in range as a row of their own, each mark a shape with a text label; the same events follow
    /// as a list for screen readers and copying.
    /// </summary>
    private static void Timeline(StringBuilder html, StatusReport report)
    {
        var start = report.GeneratedAt;
        var end = start + TimelineSpan;
        bool InRange(DateTimeOffset at) => at >= start && at <= end;
        var rows = new List<TimelineRow>();
        foreach (var entry in report.Connections)
        {
            var view = entry.Connection;
            var marks = new List<(DateTimeOffset, string, char)>();
            if (entry.NeedsPerson)
            {
                marks.Add((start, "needs a person now", '!'));
            }

            foreach (var e in view.Events.Where(e => InRange(e.At)))
            {
                marks.Add((e.At, EventText(e.Kind, view.Kind), EventShape(e.Kind)));
            }

            if (marks.Count > 0)
            {
                rows.Add(new TimelineRow(view.Name, view.Name, marks.OrderBy(m => m.Item1).ToList()));
            }
        }

        var milestones = NetSuiteReleases.All.Where(m => InRange(m.At)).ToList();
        if (milestones.Count > 0)
        {
            rows.Add(new TimelineRow("NetSuite releases", null, milestones.Select(m => (m.At, $"NetSuite {m.Release}: {m.Change}", 'R')).ToList()));
        }

        html.Append("<section id=\"timeline\" class=\"timeline\">\n<h2>The next 14 days</h2>\n");
        if (rows.Count == 0)
        {
            html.Append("<p>Nothing is planned and nobody is needed in the next 14 days.</p>\n</section>\n");
            return;
        }

        const int width = 1200, labelWidth = 210, top = 44, rowHeight = 46, right = 20;
        var plot = width - labelWidth - right;
        var height = top + (rows.Count * rowHeight) + 10;
        double X(DateTimeOffset at) => labelWidth + ((at - start).TotalSeconds / TimelineSpan.TotalSeconds * plot);
        var markCount = rows.Sum(r => r.Marks.Count);
        html.Append(CultureInfo.InvariantCulture,
            $"<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"timeline-title timeline-desc\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui,sans-serif\" font-size=\"13\">\n")
            .Append("<title id=\"timeline-title\">Timeline of the next 14 days</title>\n<desc id=\"timeline-desc\">")
            .Append(E($"{StatusReportBuilder.Plural(markCount, "event")} for {StatusReportBuilder.Plural(rows.Count, "row")}, from {start:yyyy-MM-dd HH:mm} UTC to {end:yyyy-MM-dd HH:mm} UTC; the list below the timeline has each one."))
            .Append("</desc>\n");

        // Day lines with dates; the first is now.
        for (var day = 0; day <= TimelineSpan.Days; day++)
        {
            var at = start.AddDays(day);
            var x = X(at);
            html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"{top - 8}\" x2=\"{x:0.#}\" y2=\"{height - 6}\" stroke=\"{(day == 0 ? "#333" : "#ddd")}\" stroke-width=\"{(day == 0 ? 2 : 1)}\"/>");
            if (day % 2 == 0 && day < TimelineSpan.Days)
            {
                html.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 3:0.#}\" y=\"{top - 14}\" fill=\"#333\">{E(day == 0 ? "now" : at.ToString("ddd d MMM", CultureInfo.InvariantCulture))}</text>");
            }
        }

        html.Append('\n');
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var y = top + (i * rowHeight) + 16;
            var label = row.Label.Length > 26 ? row.Label[..25] + "…" : row.Label;
            html.Append(CultureInfo.InvariantCulture, $"<g class=\"row\"{(row.Connection is null ? " data-milestones=\"true\"" : $" data-connection=\"{E(row.Connection)}\"")}>")
                .Append(CultureInfo.InvariantCulture, $"<line x1=\"{labelWidth}\" y1=\"{y}\" x2=\"{width - right}\" y2=\"{y}\" stroke=\"#999\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{y + 4}\" font-weight=\"600\" fill=\"#1a1a1a\"><title>{E(row.Label)}</title>{E(label)}</text>");
            for (var m = 0; m < row.Marks.Count; m++)
            {
                var (at, text, shape) = row.Marks[m];
                var x = X(at);

                // Labels alternate above and below the line so that close events stay readable; a label that would
                // run past the right edge is drawn to the left of its mark.
                var labelY = m % 2 == 0 ? y - 9 : y + 19;
                var anchor = x > width - right - 220 ? "end" : "start";
                var labelX = anchor == "end" ? x - 6 : x + 6;
                html.Append(CultureInfo.InvariantCulture, $"<g class=\"mark\" data-kind=\"{E(text)}\"><title>{E($"{text}: {at:yyyy-MM-dd HH:mm} UTC ({Relative(at, start)})")}</title>")
                    .Append(Shape(shape, x, y))
                    .Append(CultureInfo.InvariantCulture, $"<text x=\"{labelX:0.#}\" y=\"{labelY}\" text-anchor=\"{anchor}\" fill=\"#1a1a1a\">{E(text)}</text></g>");
            }

            html.Append("</g>\n");
        }

        html.Append("</svg>\n<ul id=\"timeline-list\">\n");
        foreach (var (row, mark) in rows.SelectMany(r => r.Marks.Select(m => (r, m))).OrderBy(p => p.m.At))
        {
            html.Append("<li>").Append(Time(mark.At, start)).Append(": ").Append(row.Connection is null ? "" : "<strong>" + E(row.Connection) + "</strong> ")
                .Append(E(mark.Text)).Append("</li>\n");
        }

        html.Append("</ul>\n</section>\n");
    }

    private static string EventText(ConnectionEventKind kind, ConnectionKind connection) => kind switch
    {
        ConnectionEventKind.RefreshTokenEnds => "refresh token ends: consent before",
        ConnectionEventKind.ChainEnds => "refresh chain ends: consent before",
        ConnectionEventKind.ConsentWarningStarts => "consent warning starts",
        ConnectionEventKind.CertificateExpires => "certificate expires",
        ConnectionEventKind.RotationStarts => connection == ConnectionKind.Tba ? "token rotation" : "certificate rotation",
        ConnectionEventKind.RotationRetires => connection == ConnectionKind.Tba ? "old token revoked" : "old certificate revoked",
        ConnectionEventKind.GracePeriodEnds => "grace period ends",
        _ => kind.ToString(),
    };

    /// <summary>Ends are diamonds, warnings triangles, rotations circles, revocations squares: told apart without colour.</summary>
    private static char EventShape(ConnectionEventKind kind) => kind switch
    {
        ConnectionEventKind.RefreshTokenEnds or ConnectionEventKind.ChainEnds or ConnectionEventKind.CertificateExpires => 'D',
        ConnectionEventKind.ConsentWarningStarts => '!',
        ConnectionEventKind.RotationStarts => 'O',
        _ => 'S',
    };

    private static string Shape(char shape, double x, double y) => shape switch
    {
        'D' => string.Create(CultureInfo.InvariantCulture, $"<polygon points=\"{x:0.#},{y - 7} {x + 7:0.#},{y} {x:0.#},{y + 7} {x - 7:0.#},{y}\" fill=\"#b3261e\" stroke=\"#1a1a1a\"/>"),
        '!' => string.Create(CultureInfo.InvariantCulture, $"<polygon points=\"{x:0.#},{y - 8} {x + 7:0.#},{y + 6} {x - 7:0.#},{y + 6}\" fill=\"#e8a317\" stroke=\"#1a1a1a\"/>"),
        'O' => string.Create(CultureInfo.InvariantCulture, $"<circle cx=\"{x:0.#}\" cy=\"{y}\" r=\"6\" fill=\"#1f4e8c\" stroke=\"#1a1a1a\"/>"),
        'R' => string.Create(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"{y - 12}\" x2=\"{x:0.#}\" y2=\"{y + 12}\" stroke=\"#6a1b9a\" stroke-width=\"3\" stroke-dasharray=\"4 2\"/>"),
        _ => string.Create(CultureInfo.InvariantCulture, $"<rect x=\"{x - 5:0.#}\" y=\"{y - 5}\" width=\"10\" height=\"10\" fill=\"#555\" stroke=\"#1a1a1a\"/>"),
    };

    private static bool IsWebLink(string link) =>
        Uri.TryCreate(link, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static StringBuilder Begin(string title) =>
        new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\"><title>").Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>\n");

    private static string End(StringBuilder html) => html.Append("</body></html>\n").ToString();
}
