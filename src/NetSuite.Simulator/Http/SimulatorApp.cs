using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Http;

/// <summary>
/// The request pipeline: resolve the account from the first path segment, route, apply concurrency and
/// injected faults, run the handler, write (or lose) its answer.
/// </summary>
internal sealed partial class SimulatorApp(SimulatorState state, FaultInjector faults, SimulatorOptions options)
{
    private delegate ValueTask<SimResult> Handler(SimRequest request);

    private readonly record struct Route(SimEndpoint Endpoint, ResourceFamily Family, Handler Handler);

    public SimulatorState State { get; } = state;

    public FaultInjector Faults { get; } = faults;

    public SimulatorModes Modes => State.Modes;

    private DateTimeOffset Now => State.Now;

    /// <summary>Set once Kestrel has bound: <c>http://127.0.0.1:PORT</c>.</summary>
    public string BaseUrl { get; set; } = "";

    private AdminApi? _admin;

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/_admin", StringComparison.Ordinal))
        {
            if (!options.EnableAdminApi)
            {
                await WriteAsync(context, SimResult.Text(404, "The admin API is disabled."));
                return;
            }

            _admin ??= new AdminApi(this);
            await _admin.HandleAsync(context);
            return;
        }

        if (path == "/rest/datacenterurls")
        {
            await DataCenterUrlsAsync(context);
            return;
        }

        if (path == GenericAuthorizePath)
        {
            await GenericAuthorizeAsync(context);
            return;
        }

        if (path is "/" or "")
        {
            await WriteAsync(context, SimResult.Text(200, UsageText()));
            return;
        }

        // /{account}/{suitetalk|restlets|app}/{NetSuite path}
        var span = path.AsSpan(1);
        var firstSlash = span.IndexOf('/');
        if (firstSlash <= 0)
        {
            await WriteAsync(context, NotFound("Expected /{account}/{suitetalk|restlets|app}/..."));
            return;
        }

        var accountSegment = span[..firstSlash];
        var rest = span[(firstSlash + 1)..];
        var secondSlash = rest.IndexOf('/');
        if (secondSlash <= 0)
        {
            await WriteAsync(context, NotFound("Expected /{account}/{suitetalk|restlets|app}/..."));
            return;
        }

        var hostKind = rest[..secondSlash].ToString();
        var netSuitePath = rest[secondSlash..].ToString();
        if (!AccountIds.IsWellFormed(accountSegment) || !State.TryGetAccountByRealm(AccountIds.ToRealm(accountSegment.ToString()), out var account))
        {
            // Real NetSuite: the host name would not resolve.
            await WriteAsync(context, NotFound($"No simulated account '{accountSegment}'. Seed it first (State.AddAccount or POST /_admin/accounts)."));
            return;
        }

        var route = Resolve(hostKind, netSuitePath, context.Request.Method, out var methodNotAllowed);
        if (route is null)
        {
            await WriteAsync(context, methodNotAllowed ? SimResult.Text(405, "Method not allowed.") : NotFound($"No simulated endpoint {hostKind}{netSuitePath}."));
            return;
        }

        var request = new SimRequest(context, account, hostKind, netSuitePath, route.Value.Endpoint, route.Value.Family);
        await ExecuteAsync(request, route.Value);
    }

    private static SimResult NotFound(string message) => SimResult.Text(404, message);

    private Route? Resolve(string hostKind, string path, string method, out bool methodNotAllowed)
    {
        (var route, methodNotAllowed) = ResolveCore(hostKind, path, method);
        return route;
    }

    private (Route? Route, bool MethodNotAllowed) ResolveCore(string hostKind, string path, string method)
    {
        var get = HttpMethods.IsGet(method);
        var post = HttpMethods.IsPost(method);

        static (Route?, bool) Pick(bool allowed, Route route) => allowed ? (route, false) : (null, true);

        const string oauth2 = "/services/rest/auth/oauth2/v1/";
        if ((hostKind is "suitetalk" or "restlets") && path.StartsWith(oauth2, StringComparison.Ordinal))
        {
            var sub = path[oauth2.Length..];
            switch (sub)
            {
                case "token":
                    return Pick(post, new(SimEndpoint.Token, ResourceFamily.OAuth, TokenAsync));
                case "revoke":
                    return Pick(post, new(SimEndpoint.Revoke, ResourceFamily.OAuth, RevokeAsync));
                case "keys":
                    return Pick(get, new(SimEndpoint.Keys, ResourceFamily.Rest, KeysAsync));
            }

            // clients/{clientId}/certificates[/{certificateId}/revoke]
            var parts = sub.Split('/');
            if (parts.Length == 3 && parts[0] == "clients" && parts[2] == "certificates")
            {
                if (get)
                {
                    return (new Route(SimEndpoint.CertificatesList, ResourceFamily.Rest, CertificatesListAsync), false);
                }

                return Pick(post, new(SimEndpoint.CertificatesCreate, ResourceFamily.Rest, CertificatesCreateAsync));
            }

            if (parts.Length == 5 && parts[0] == "clients" && parts[2] == "certificates" && parts[4] == "revoke")
            {
                return Pick(post, new(SimEndpoint.CertificatesRevoke, ResourceFamily.Rest, CertificatesRevokeAsync));
            }

            return (null, false);
        }

        if (hostKind == "suitetalk" && path.StartsWith("/services/rest/record/v1/", StringComparison.Ordinal))
        {
            return (new Route(SimEndpoint.RestRecord, ResourceFamily.Rest, RestRecordAsync), false);
        }

        if (hostKind is "restlets" or "app")
        {
            var tbaWrite = get || (post && Modes.TbaEndpointsAcceptPost);
            switch (path)
            {
                case "/rest/issuetoken":
                    return Pick(tbaWrite, new(SimEndpoint.IssueToken, ResourceFamily.Restlet, IssueTokenAsync));
                case "/rest/revoketoken":
                    return Pick(tbaWrite, new(SimEndpoint.RevokeToken, ResourceFamily.Restlet, RevokeTokenAsync));
                case "/rest/tokeninfo":
                    return Pick(get, new(SimEndpoint.TokenInfo, ResourceFamily.Restlet, TokenInfoAsync));
            }
        }

        if (hostKind == "restlets" && path == "/app/site/hosting/restlet.nl")
        {
            return (new Route(SimEndpoint.Restlet, ResourceFamily.Restlet, RestletAsync), false);
        }

        if (hostKind == "app" && path == "/app/login/oauth2/authorize.nl")
        {
            if (get)
            {
                return (new Route(SimEndpoint.Authorize, ResourceFamily.Browser, AuthorizeAsync), false);
            }

            return Pick(post, new(SimEndpoint.AuthorizeDecision, ResourceFamily.Browser, AuthorizeDecisionAsync));
        }

        return (null, false);
    }

    private bool CountsTowardConcurrency(SimEndpoint endpoint) => endpoint switch
    {
        SimEndpoint.RestRecord or SimEndpoint.Restlet => true,
        SimEndpoint.Token or SimEndpoint.Revoke or SimEndpoint.IssueToken or SimEndpoint.RevokeToken or SimEndpoint.TokenInfo
            or SimEndpoint.CertificatesList or SimEndpoint.CertificatesCreate or SimEndpoint.CertificatesRevoke
            => Modes.TokenCallsCountTowardConcurrency,
        _ => false,
    };

    private async Task ExecuteAsync(SimRequest request, Route route)
    {
        var context = request.Http;
        var (latency, fault) = Faults.Match(route.Endpoint, request.Account.Id);
        var entered = false;
        try
        {
            if (CountsTowardConcurrency(route.Endpoint))
            {
                if (!request.Account.TryEnter())
                {
                    await WriteAsync(context, await OverloadAsync(request));
                    return;
                }

                entered = true;
            }

            if (latency > TimeSpan.Zero)
            {
                // Wall time on purpose: a FakeTimeProvider would never let the request finish.
                await Task.Delay(latency, context.RequestAborted);
            }

            if (fault is { Timing: FaultTiming.BeforeProcessing })
            {
                if (entered)
                {
                    // The same for a fault before processing: the request ends when the client sees its answer.
                    entered = false;
                    request.Account.Exit();
                }

                await ApplyFaultAsync(context, fault);
                return;
            }

            var result = await route.Handler(request);
            if (fault is { Timing: FaultTiming.AfterProcessing })
            {
                foreach (var issued in request.Issued ?? [])
                {
                    issued.MarkResponseLost();
                }

                State.Audit(new AuditEntry(Now, request.Account.Id, route.Endpoint, true, "ResponseLost",
                    Note: $"Processed with status {result.Status}, then answered with injected fault {fault.Action}."));
                if (entered)
                {
                    // NetSuite finished the request; only its answer is lost. Free the slot before the client can see the
                    // dropped connection, or its immediate retry would be counted as a second concurrent request.
                    entered = false;
                    request.Account.Exit();
                }

                await ApplyFaultAsync(context, fault);
                return;
            }

            await WriteAsync(context, result);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            if (entered)
            {
                request.Account.Exit();
            }
        }
    }

    private async ValueTask<SimResult> OverloadAsync(SimRequest request)
    {
        State.Audit(new AuditEntry(Now, request.Account.Id, request.Endpoint, false, "ConcurrencyLimitExceeded",
            Note: $"Limit {request.Account.ConcurrencyLimit}."));
        if (Modes.Overload == OverloadMode.InvalidLoginAfterDelay && request.Family is ResourceFamily.Rest or ResourceFamily.Restlet)
        {
            var delay = Modes.OverloadDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, request.Http.RequestAborted);
            }

            return request.Family == ResourceFamily.Rest ? Responses.RestInvalidLogin() : Responses.RestletInvalidLogin();
        }

        var family = request.Family == ResourceFamily.Restlet ? ResourceFamily.Restlet : ResourceFamily.Rest;
        return Responses.WithRetryAfter(Responses.ConcurrencyExceeded(family), Modes.RetryAfter);
    }

    private async Task ApplyFaultAsync(HttpContext context, FaultRule fault)
    {
        switch (fault.Action)
        {
            case FaultAction.DropConnection:
                context.Abort();
                return;
            case FaultAction.Status:
                await WriteAsync(context, SimResult.Html(fault.StatusCode,
                    $"<html><head><title>{fault.StatusCode}</title></head><body><h1>{fault.StatusCode} Error</h1><p>Injected by the NetSuite simulator.</p></body></html>"));
                return;
            case FaultAction.TooManyRequests:
                await WriteAsync(context, Responses.WithRetryAfter(SimResult.Text(429, "Too Many Requests"), fault.RetryAfter ?? Modes.RetryAfter));
                return;
            case FaultAction.MalformedJson:
                await WriteAsync(context, SimResult.JsonBytes(200, "{\"access_token\":\"eyJraWQiOiJzLlNZU1RFTS4yMDIw"u8.ToArray()));
                return;
            case FaultAction.HtmlBody:
                await WriteAsync(context, SimResult.Html(200,
                    "<!DOCTYPE html><html><head><title>NetSuite - Login</title></head><body><form method=\"post\" action=\"/app/login/nl/login.nl\"><input name=\"email\"><input name=\"password\" type=\"password\"></form></body></html>"));
                return;
            default:
                await WriteAsync(context, SimResult.Empty(204));
                return;
        }
    }

    internal static async Task WriteAsync(HttpContext context, SimResult result)
    {
        var response = context.Response;
        response.StatusCode = result.Status;
        if (result.Headers is not null)
        {
            foreach (var (name, value) in result.Headers)
            {
                response.Headers.Append(name, value);
            }
        }

        if (result.ContentType is not null)
        {
            response.ContentType = result.ContentType;
        }

        if (result.Body.Length > 0)
        {
            response.ContentLength = result.Body.Length;
            await response.Body.WriteAsync(result.Body, context.RequestAborted);
        }
    }

    private void Audit(SimRequest request, bool success, string detail, SimUser? user = null, int? roleId = null, string? clientId = null, string? tokenRef = null, string? note = null) =>
        State.Audit(new AuditEntry(Now, request.Account.Id, request.Endpoint, success, detail, user?.Email, user?.EntityId, roleId, clientId, tokenRef, note));

    /// <summary>The path and query exactly as the client sent them (for the OAuth 1.0a base string).</summary>
    private static string RawTarget(HttpContext context) =>
        context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw : context.Request.Path + context.Request.QueryString;

    public string UsageText() => $$"""
        NetSuite simulator (not NetSuite). Every account shares this port; the account is the first path segment.
          SuiteTalk  {{BaseUrl}}/{account}/suitetalk   e.g. /services/rest/auth/oauth2/v1/token, /services/rest/record/v1/employee/1
          RESTlets   {{BaseUrl}}/{account}/restlets    e.g. /rest/issuetoken, /rest/revoketoken, /rest/tokeninfo, /app/site/hosting/restlet.nl
          App (UI)   {{BaseUrl}}/{account}/app         e.g. /app/login/oauth2/authorize.nl
          Discovery  {{BaseUrl}}/rest/datacenterurls?account=<id>
          Admin      {{BaseUrl}}/_admin/                 (JSON: seed and inspect)
        {account} is the host-label form (1234567-sb1); the realm form (1234567_SB1) is accepted too.
        """;
}
