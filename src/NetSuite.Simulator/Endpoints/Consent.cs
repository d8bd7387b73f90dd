using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Http;

internal sealed partial class SimulatorApp
{
    private static readonly string[] KnownScopes = ["restlets", "rest_webservices", "suite_analytics", "mcp"];

    /// <summary>
    /// <c>GET {App}/app/login/oauth2/authorize.nl</c>: validates every parameter (NetSuite topic 1.1, 1.2). An unknown
    /// client or a redirect URI that is not exactly one of the record's gets an error page and no redirect;
    /// other errors redirect with <c>error=</c>. Then the consent page (or the auto-approve test switch).
    /// </summary>
    private ValueTask<SimResult> AuthorizeAsync(SimRequest request)
    {
        return ValueTask.FromResult(Authorize(request));
    }

    private SimResult Authorize(SimRequest request)
    {
        var account = request.Account;
        var query = request.Http.Request.Query;
        string? Q(string name) => query[name].Count == 1 ? query[name][0] : null;

        var clientId = Q("client_id");
        if (clientId is null || !account.IntegrationsByClientId.TryGetValue(clientId, out var integration))
        {
            Audit(request, false, "UnknownIntegration", clientId: clientId);
            return ErrorPage(400, "Unknown application", "The application that sent you here is not known to this account. No redirect was made.");
        }

        var redirectUri = Q("redirect_uri");
        if (redirectUri is null || !integration.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            Audit(request, false, "InvalidRedirectURI", clientId: clientId);
            return ErrorPage(400, "Invalid redirect URI", "The redirect URI does not match the integration record. No redirect was made.");
        }

        var state = Q("state");
        SimResult Fail(string error, string detail, string? note = null)
        {
            Audit(request, false, detail, clientId: clientId, note: note);
            return SimResult.Redirect(AppendQuery(redirectUri, [("state", state), ("error", error)]));
        }

        if (query.Any(p => p.Value.Count > 1))
        {
            return Fail("invalid_request", "InvalidRequest", "A parameter is repeated.");
        }

        if (integration.State == IntegrationState.Blocked)
        {
            return Fail("unauthorized_client", "IntegrationBlocked");
        }

        if (integration.State == IntegrationState.WaitingForApproval && integration.Installed)
        {
            return Fail("unauthorized_client", "WaitingForApproval");
        }

        if (!integration.AuthorizationCodeGrant)
        {
            return Fail("unauthorized_client", "AuthorizationCodeGrantRequired");
        }

        var responseType = Q("response_type");
        if (responseType is null)
        {
            return Fail("invalid_request", "InvalidRequest", "response_type is missing.");
        }

        if (responseType != "code")
        {
            return Fail("unsupported_response_type", "UnsupportedResponseType");
        }

        if (state is null || state.Length is < 22 or > 1024 || state.Any(c => c is < (char)0x20 or > (char)0x7E))
        {
            return Fail("invalid_request", "InvalidState", "state must be 22 to 1024 printable ASCII characters.");
        }

        var scopeText = Q("scope");
        if (string.IsNullOrWhiteSpace(scopeText))
        {
            return Fail("invalid_request", "InvalidRequest", "scope is missing.");
        }

        var scopes = scopeText.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (scopes.Any(s => !KnownScopes.Contains(s)) || (scopes.Contains("mcp") && scopes.Count > 1))
        {
            return Fail("invalid_scope", "InvalidScope");
        }

        if (scopes.Any(s => !integration.Scopes.Contains(s)))
        {
            return Fail("invalid_scope", "ScopeMismatched", "A requested scope is not enabled on the integration record.");
        }

        var challenge = Q("code_challenge");
        var method = Q("code_challenge_method");
        if (challenge is null)
        {
            if (integration.PublicClient || scopes.Contains("mcp") || method is not null)
            {
                return Fail("invalid_request", "InvalidRequest", "code_challenge is required for public clients and the mcp scope.");
            }
        }
        else if (method != "S256" || !Pkce.IsWellFormedChallenge(challenge))
        {
            return Fail("invalid_request", "InvalidRequest", "PKCE needs code_challenge_method=S256 and a 43-character challenge ('plain' is refused).");
        }

        var prompt = Q("prompt");
        if (prompt is not null && prompt is not ("none" or "login" or "consent" or "login consent" or "consent login"))
        {
            return Fail("invalid_request", "InvalidRequest", "Unknown prompt value.");
        }

        var transaction = new ConsentTransaction
        {
            Id = SimulatorState.NewHex(24),
            AccountId = account.Id,
            ClientId = integration.ClientId,
            RedirectUri = redirectUri,
            State = state,
            Scopes = scopes,
            CodeChallenge = challenge,
            ExpiresAt = Now.AddMinutes(10),
        };

        var choices = ConsentChoices(account);
        switch (Modes.Consent)
        {
            case ConsentMode.AutoApprove:
            case ConsentMode.AutoDeny:
                var pick = choices.FirstOrDefault(c => (c.User.EntityId, c.Role.Id) == account.ConsentPreference);
                if (pick.User is null)
                {
                    pick = choices.FirstOrDefault();
                }

                if (pick.User is null)
                {
                    return Fail("access_denied", "EntityOrRoleDisabled", "No user with a role that may use OAuth 2.0 tokens.");
                }

                return Decide(request, transaction, Modes.Consent == ConsentMode.AutoApprove, pick.User, pick.Role);
            default:
                if (prompt == "none")
                {
                    // The simulator keeps no browser session, so prompt=none cannot succeed without the test switch.
                    return Fail("login_required", "InvalidRequest", "prompt=none needs an existing session.");
                }

                if (choices.Count == 0)
                {
                    Audit(request, false, "EntityOrRoleDisabled", clientId: clientId);
                    return ErrorPage(403, "No usable role", "No user of this account has a role with 'Log in using OAuth 2.0 Access Tokens'.");
                }

                State.Consents[transaction.Id] = transaction;
                return ConsentPage(request, integration, transaction, choices);
        }
    }

    /// <summary><c>POST {App}/app/login/oauth2/authorize.nl</c>: the consent form's Allow or Deny.</summary>
    private async ValueTask<SimResult> AuthorizeDecisionAsync(SimRequest request)
    {
        if (!request.Http.Request.HasFormContentType)
        {
            return ErrorPage(400, "Bad request", "Expected the consent form.");
        }

        var form = await request.Http.Request.ReadFormAsync(request.Http.RequestAborted);
        var transactionId = form["txn"].ToString();
        if (!State.Consents.TryRemove(transactionId, out var transaction) || transaction.AccountId != request.Account.Id
            || transaction.ExpiresAt <= Now || Interlocked.Exchange(ref transaction.Used, 1) != 0)
        {
            Audit(request, false, "InvalidRequest", note: "Unknown, used or expired consent transaction.");
            return ErrorPage(400, "Consent expired", "This consent request has expired or was already answered. Start again from the application.");
        }

        var choice = form["role"].ToString().Split(':');
        var choices = ConsentChoices(request.Account);
        var picked = choices.FirstOrDefault(c => choice.Length == 2
            && c.User.EntityId.ToString(CultureInfo.InvariantCulture) == choice[0]
            && c.Role.Id.ToString(CultureInfo.InvariantCulture) == choice[1]);
        if (picked.User is null)
        {
            Audit(request, false, "EntityOrRoleDisabled", clientId: transaction.ClientId, note: "The chosen role is not available.");
            return ErrorPage(400, "Role not available", "Choose one of the listed roles.");
        }

        var allow = form["decision"].ToString() == "allow";
        return Decide(request, transaction, allow, picked.User, picked.Role);
    }

    private SimResult Decide(SimRequest request, ConsentTransaction transaction, bool allow, SimUser user, SimRole role)
    {
        var account = request.Account;
        var company = Modes.CompanyParameter == CompanyParameterFormat.HostLabel ? account.HostLabel : account.Id;
        var roleText = role.Id.ToString(CultureInfo.InvariantCulture);
        var entityText = user.EntityId.ToString(CultureInfo.InvariantCulture);
        if (!allow)
        {
            Audit(request, false, "AuthorizationExplicitlyDenied", user, role.Id, transaction.ClientId);
            return SimResult.Redirect(AppendQuery(transaction.RedirectUri,
                [("state", transaction.State), ("role", roleText), ("entity", entityText), ("company", company), ("error", "access_denied")]));
        }

        var code = new AuthorizationCode
        {
            Code = SimulatorState.NewHex(32),
            AccountId = account.Id,
            ClientId = transaction.ClientId,
            RedirectUri = transaction.RedirectUri,
            CodeChallenge = transaction.CodeChallenge,
            Scopes = transaction.Scopes,
            EntityId = user.EntityId,
            RoleId = role.Id,
            ExpiresAt = Now + Modes.AuthorizationCodeLifetime,
        };
        State.Codes[code.Code] = code;
        Audit(request, true, "Success", user, role.Id, transaction.ClientId, note: "Consent given; authorization code issued.");
        return SimResult.Redirect(AppendQuery(transaction.RedirectUri,
            [("state", transaction.State), ("role", roleText), ("entity", entityText), ("company", company), ("code", code.Code)]));
    }

    /// <summary>Every (user, role) pair of the account that may use OAuth 2.0 tokens: the "Choose Another Role" list.</summary>
    private static List<(SimUser User, SimRole Role)> ConsentChoices(SimAccount account)
    {
        var result = new List<(SimUser, SimRole)>();
        foreach (var user in account.UsersById.Values.OrderBy(u => u.EntityId))
        {
            if (!user.Active)
            {
                continue;
            }

            foreach (var roleId in user.RoleIds)
            {
                if (account.RolesById.TryGetValue(roleId, out var role) && role.Has(RolePermissions.LogInUsingOAuth2AccessTokens))
                {
                    result.Add((user, role));
                }
            }
        }

        return result;
    }

    private static SimResult ConsentPage(SimRequest request, SimIntegration integration, ConsentTransaction transaction, List<(SimUser User, SimRole Role)> choices)
    {
        static string E(string value) => WebUtility.HtmlEncode(value);
        var action = request.Http.Request.PathBase + request.Http.Request.Path;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorize ")
            .Append(E(integration.Name)).Append(" - NetSuite simulator</title>")
            .Append("<style>body{font-family:sans-serif;max-width:40em;margin:3em auto}button{font-size:1.1em;margin-right:1em;padding:.4em 1.4em}</style></head><body>\n")
            .Append("<p><em>NetSuite simulator (not NetSuite)</em></p>\n")
            .Append("<h1>Allow ").Append(E(integration.Name)).Append(" to access ").Append(E(request.Account.CompanyName)).Append("?</h1>\n")
            .Append("<p>Account <strong>").Append(E(request.Account.Id)).Append("</strong>. The application asks for: </p><ul>");
        foreach (var scope in transaction.Scopes)
        {
            html.Append("<li>").Append(E(scope)).Append("</li>");
        }

        html.Append("</ul>\n<form id=\"consent\" method=\"post\" action=\"").Append(E(action.ToString())).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"txn\" value=\"").Append(E(transaction.Id)).Append("\">\n")
            .Append("<label for=\"role\">Role</label> <select id=\"role\" name=\"role\">\n");
        var preferred = request.Account.ConsentPreference;
        foreach (var (user, role) in choices)
        {
            var value = string.Create(CultureInfo.InvariantCulture, $"{user.EntityId}:{role.Id}");
            html.Append("<option value=\"").Append(E(value)).Append('"')
                .Append((user.EntityId, role.Id) == preferred ? " selected" : "")
                .Append('>').Append(E(user.Email)).Append(" - ").Append(E(role.Name)).Append(" (").Append(role.Id.ToString(CultureInfo.InvariantCulture)).Append(")</option>\n");
        }

        html.Append("</select>\n<p>\n<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button>\n")
            .Append("<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>\n</p>\n</form>\n</body></html>\n");
        return SimResult.Html(200, html.ToString()).WithHeader("Cache-Control", "no-store");
    }

    private static SimResult ErrorPage(int status, string title, string message) => SimResult.Html(status,
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head><body>" +
        $"<p><em>NetSuite simulator (not NetSuite)</em></p><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(message)}</p></body></html>\n");

    private static string AppendQuery(string uri, IEnumerable<(string Name, string? Value)> parameters)
    {
        var sb = new StringBuilder(uri);
        var separator = uri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            sb.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return sb.ToString();
    }
}
