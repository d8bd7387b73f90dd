using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using TokenRotation.Consent;
using TokenRotation.Functions.Status;

namespace TokenRotation.Functions.Http;

/// <summary>
/// The small HTML pages of the consent flow and the status page. Every value is HTML-encoded, whatever its origin;
/// no page carries a token, a code or a secret.
/// </summary>
internal static class Pages
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.4}" +
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}" +
        ".needs-person{background:#fff3f0}.next{font-weight:bold}";

    public static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    public static string ConsentResult(ConsentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Message(result.Title, result.Message, result.NextStep, result.Kind.ToString());
    }

    public static string ConsentStartProblem(ConsentStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return Message(start.Title, start.Message, start.NextStep, start.Status.ToString());
    }

    /// <summary>A page that says what happened and what to do next.</summary>
    public static string Message(string title, string message, string nextStep, string outcome)
    {
        var html = Begin(title);
        html.Append("<main data-outcome=\"").Append(E(outcome)).Append("\">\n<h1>").Append(E(title)).Append("</h1>\n")
            .Append("<p id=\"message\">").Append(E(message)).Append("</p>\n")
            .Append("<p id=\"next\" class=\"next\">").Append(E(nextStep)).Append("</p>\n</main>\n");
        return End(html);
    }

    public static string Status(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var needing = report.NeedingAPerson.ToList();
        var html = Begin($"{report.Service}: NetSuite connections");
        html.Append("<h1>").Append(E(report.Service)).Append(": NetSuite connections</h1>\n")
            .Append("<p>").Append(E(string.Create(CultureInfo.InvariantCulture,
                $"{report.Connections.Count} connections, {needing.Count} need a person, {report.PoisonedWork.Count} poisoned work items. Generated {report.GeneratedAt:u}.")))
            .Append("</p>\n");

        html.Append("<section id=\"needs-person\">\n<h2>Needs a person</h2>\n");
        if (needing.Count == 0)
        {
            html.Append("<p>Nobody is needed right now.</p>\n");
        }
        else
        {
            html.Append("<ol>\n");
            foreach (var entry in needing)
            {
                var view = entry.Connection;
                html.Append("<li class=\"needs-person\" data-connection=\"").Append(E(view.Name)).Append("\"><strong>").Append(E(view.Name))
                    .Append("</strong> (").Append(E(view.Kind.ToString())).Append(", account ").Append(E(view.Account)).Append("): ")
                    .Append(E(view.NeedsPersonReason ?? view.LastErrorMessage ?? "needs a person")).Append(' ');
                if (entry.ConsentLink is { } link && IsWebLink(link))
                {
                    html.Append("<a class=\"consent-link\" href=\"").Append(E(link)).Append("\">Open the consent link for ").Append(E(view.Name)).Append("</a>");
                }
                else if (view.Kind == Connections.ConnectionKind.OAuth2AuthorizationCode)
                {
                    html.Append("Make a consent link with <code>nstoken consent-link ").Append(E(view.Name)).Append("</code>.");
                }

                html.Append("</li>\n");
            }

            html.Append("</ol>\n");
        }

        html.Append("</section>\n");

        if (report.PoisonedWork.Count > 0)
        {
            html.Append("<section id=\"poisoned-work\">\n<h2>Work the queue gave up on</h2>\n<p>These messages failed on every retry. ")
                .Append("Fix the cause, then run the connections again (rotate now, or wait for the next sweep).</p>\n<ul>\n");
            foreach (var item in report.PoisonedWork)
            {
                html.Append("<li class=\"poisoned\">").Append(E(item.PoisonedAt.ToString("u", CultureInfo.InvariantCulture))).Append(": account ")
                    .Append(E(item.Account ?? "(unreadable message)")).Append(", connections ").Append(E(string.Join(", ", item.Connections)))
                    .Append(". Reason: ").Append(E(item.Reason)).Append("</li>\n");
            }

            html.Append("</ul>\n</section>\n");
        }

        html.Append("<section id=\"connections\">\n<h2>All connections</h2>\n<table>\n<thead><tr>")
            .Append("<th>Name</th><th>Kind</th><th>Account</th><th>State</th><th>Credential expires</th><th>Refresh token expires</th>")
            .Append("<th>Last rotation</th><th>Last error</th><th>Next action</th><th>Possible orphans</th></tr></thead>\n<tbody>\n");
        foreach (var entry in report.Connections)
        {
            var view = entry.Connection;
            html.Append("<tr").Append(entry.NeedsPerson ? " class=\"needs-person\"" : "").Append(" data-connection=\"").Append(E(view.Name)).Append("\">")
                .Append(Cell(view.Name)).Append(Cell(view.Kind.ToString())).Append(Cell(view.Account)).Append(Cell(view.State.ToString()))
                .Append(Cell(When(view.CredentialExpiresAt))).Append(Cell(When(view.RefreshExpiresAt))).Append(Cell(When(view.LastRotationAt)))
                .Append(Cell(view.LastErrorClass is null ? "" : $"{view.LastErrorClass}: {view.LastErrorMessage}"))
                .Append(Cell(When(view.NextActionAt) + (view.RotationStep is { } step ? $" (rotation step {step})" : "")))
                .Append(Cell(string.Join("; ", view.PossibleOrphans)))
                .Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
        return End(html);
    }

    private static string Cell(string value) => "<td>" + E(value) + "</td>";

    private static string When(DateTimeOffset? value) => value?.ToString("u", CultureInfo.InvariantCulture) ?? "";

    private static bool IsWebLink(string link) =>
        Uri.TryCreate(link, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static StringBuilder Begin(string title) =>
        new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\"><title>").Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>\n");

    private static string End(StringBuilder html) => html.Append("</body></html>\n").ToString();
}
