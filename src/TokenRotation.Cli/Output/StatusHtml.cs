using System.Globalization;
using System.Net;
using System.Text;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Cli.Output;

/// <summary>
/// A status page as one self-contained HTML file (the demo writes it): what needs a person first, then every
/// connection. The Functions app serves its own page; this CLI cannot reference that app, so it renders the same
/// facts from the engine's status views, with no script, font or link outside the file.
/// </summary>
public static class StatusHtml
{
    public static string Render(IReadOnlyList<ConnectionStatusView> views, DateTimeOffset now, string service)
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(service)}}: NetSuite connections</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 1.5rem; max-width: 1200px; }
            table { border-collapse: collapse; width: 100%; table-layout: fixed; }
            th, td { border-bottom: 1px solid #ccc; padding: .4rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
            .NeedsPerson { color: #a00; font-weight: bold; } .Healthy { color: #060; } .Rotating, .Failing { color: #850; }
            .needs { border: 2px solid #a00; padding: .5rem 1rem; }
            </style></head><body>
            <h1>{{E(service)}}: NetSuite connections</h1>
            <p>As of {{E(Utc(now))}}.</p>

            """);
        var people = views.Where(v => v.State == ConnectionStatus.NeedsPerson || v.NeedsPersonReason is not null).ToList();
        if (people.Count > 0)
        {
            html.Append("<section class=\"needs\"><h2>Needs a person</h2><ul>\n");
            foreach (var v in people)
            {
                var action = v.Kind == ConnectionKind.OAuth2AuthorizationCode ? $" Consent link: <code>nstoken consent-link {E(v.Name)}</code>." : "";
                html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(v.Name)}</strong> ({E(ConnectionKindNames.Display(v.Kind))}): {E(v.NeedsPersonReason ?? v.LastErrorMessage ?? "see nstoken doctor " + v.Name)}{action}</li>\n");
            }

            html.Append("</ul></section>\n");
        }
        else
        {
            html.Append("<p>Nothing needs a person.</p>\n");
        }

        html.Append("<h2>All connections</h2>\n<table><thead><tr><th>Name</th><th>Kind</th><th>Account</th><th>State</th><th>Credential expires</th><th>Refresh or certificate ends</th><th>Last rotation</th><th>Next action</th><th>Last error</th></tr></thead><tbody>\n");
        foreach (var v in views)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(v.Name)}</td><td>{E(ConnectionKindNames.Display(v.Kind))}</td><td>{E(v.Account.Length > 0 ? v.Account : "(at consent)")}</td><td class=\"{v.State}\">{E(v.State.ToString())}</td><td>{When(v.CredentialExpiresAt, now)}</td><td>{When(v.RefreshExpiresAt, now)}</td><td>{When(v.LastRotationAt, now)}</td><td>{When(v.NextActionAt, now)}</td><td>{E(v.LastErrorMessage ?? "-")}</td></tr>\n");
        }

        html.Append("</tbody></table>\n</body></html>\n");
        return html.ToString();
    }

    private static string When(DateTimeOffset? at, DateTimeOffset now) => at switch
    {
        null => "-",
        { } value when value == DateTimeOffset.MinValue => "now",
        { } value => $"{E(Utc(value))}<br>{E(Commands.CommandSupport.Relative(value - now))}",
    };

    private static string Utc(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
