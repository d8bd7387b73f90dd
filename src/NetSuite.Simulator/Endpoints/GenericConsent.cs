using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Http;

internal sealed partial class SimulatorApp
{
    /// <summary>The generic authorize page, standing in for <c>https://system.netsuite.com/app/login/oauth2/authorize.nl</c>.</summary>
    public const string GenericAuthorizePath = "/system/app/login/oauth2/authorize.nl";

    /// <summary>
    /// <c>GET|POST /system/app/login/oauth2/authorize.nl</c>: the authorize page for an application that does not know
    /// the account. GET shows a login form (the query is carried along unchanged); POST checks e-mail and password in
    /// every account that has the application's integration record, then continues at that account's authorize page
    /// with the same query, or lets a person with access to several accounts choose one. The account's own authorize
    /// page then validates everything and its redirect carries the account's <c>company</c>. With the auto-approve or
    /// auto-deny test switch there is no login: the first account with the integration record continues.
    /// </summary>
    private async Task GenericAuthorizeAsync(HttpContext context)
    {
        var origin = $"{context.Request.Scheme}://{context.Request.Host.Value}";
        if (HttpMethods.IsGet(context.Request.Method))
        {
            var query = context.Request.QueryString.Value ?? "";
            var candidates = GenericCandidates(context.Request.Query["client_id"], context.Request.Query["redirect_uri"]);
            if (candidates.Count == 0)
            {
                await WriteAsync(context, ErrorPage(400, "Unknown application", "No account has an integration record with this client id and redirect URI. No redirect was made."));
                return;
            }

            if (Modes.Consent is ConsentMode.AutoApprove or ConsentMode.AutoDeny)
            {
                await WriteAsync(context, SimResult.Redirect(AccountAuthorizeUrl(origin, candidates[0], query)));
                return;
            }

            await WriteAsync(context, LoginPage(query, null));
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.HasFormContentType)
        {
            await WriteAsync(context, SimResult.Text(405, "Method not allowed."));
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var carried = form["q"].ToString();
        var parsed = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(carried);
        var email = form["email"].ToString();
        var password = form["password"].ToString();
        var accounts = GenericCandidates(parsed.TryGetValue("client_id", out var c) ? c : default, parsed.TryGetValue("redirect_uri", out var r) ? r : default)
            .Where(a => a.UsersByEmail.TryGetValue(email, out var user) && user.Active && user.Password == password)
            .ToList();
        if (accounts.Count == 0)
        {
            await WriteAsync(context, LoginPage(carried, "Invalid login: no account with this application accepts this e-mail address and password."));
            return;
        }

        if (accounts.Count == 1)
        {
            await WriteAsync(context, SimResult.Redirect(AccountAuthorizeUrl(origin, accounts[0], carried)));
            return;
        }

        static string E(string value) => WebUtility.HtmlEncode(value);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Choose an account - NetSuite simulator</title></head><body>\n")
            .Append("<p><em>NetSuite simulator (not NetSuite)</em></p>\n<h1>Choose an account</h1>\n<ul>\n");
        foreach (var account in accounts)
        {
            html.Append("<li><a id=\"account-").Append(E(account.HostLabel)).Append("\" href=\"").Append(E(AccountAuthorizeUrl(origin, account, carried))).Append("\">")
                .Append(E(account.CompanyName)).Append(" (").Append(E(account.Id)).Append(")</a></li>\n");
        }

        html.Append("</ul>\n</body></html>\n");
        await WriteAsync(context, SimResult.Html(200, html.ToString()).WithHeader("Cache-Control", "no-store"));
    }

    /// <summary>The accounts, in id order, with an integration record for the client whose redirect URIs include the given one.</summary>
    private List<SimAccount> GenericCandidates(Microsoft.Extensions.Primitives.StringValues clientId, Microsoft.Extensions.Primitives.StringValues redirectUri)
    {
        if (clientId.Count != 1 || redirectUri.Count != 1)
        {
            return [];
        }

        return State.Accounts
            .Where(a => a.IntegrationsByClientId.TryGetValue(clientId[0]!, out var integration) && integration.RedirectUris.Contains(redirectUri[0]!, StringComparer.Ordinal))
            .ToList();
    }

    private static string AccountAuthorizeUrl(string origin, SimAccount account, string query) =>
        $"{origin}/{account.HostLabel}/app/app/login/oauth2/authorize.nl{(query.StartsWith('?') || query.Length == 0 ? query : "?" + query)}";

    private static SimResult LoginPage(string query, string? error)
    {
        static string E(string value) => WebUtility.HtmlEncode(value);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in - NetSuite simulator</title></head><body>\n")
            .Append("<p><em>NetSuite simulator (not NetSuite)</em></p>\n<h1>Log in to NetSuite</h1>\n");
        if (error is not null)
        {
            html.Append("<p id=\"error\">").Append(E(error)).Append("</p>\n");
        }

        html.Append("<form id=\"login\" method=\"post\" action=\"").Append(E(GenericAuthorizePath)).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"q\" value=\"").Append(E(query)).Append("\">\n")
            .Append("<label for=\"email\">E-mail</label> <input id=\"email\" name=\"email\" type=\"email\">\n")
            .Append("<label for=\"password\">Password</label> <input id=\"password\" name=\"password\" type=\"password\">\n")
            .Append("<button type=\"submit\" id=\"submit\">Log In</button>\n</form>\n</body></html>\n");
        return SimResult.Html(error is null ? 200 : 401, html.ToString()).WithHeader("Cache-Control", "no-store");
    }
}
