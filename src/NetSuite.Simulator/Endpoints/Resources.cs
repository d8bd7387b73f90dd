using Microsoft.AspNetCore.Http;

namespace NetSuite.Simulator.Http;

internal sealed partial class SimulatorApp
{
    /// <summary><c>{SuiteTalk}/services/rest/record/v1/{type}/{id}</c>: a synthetic record for any authenticated caller with <c>rest_webservices</c>.</summary>
    private async ValueTask<SimResult> RestRecordAsync(SimRequest request)
    {
        var outcome = await AuthenticateResourceAsync(request, "rest_webservices");
        if (outcome.Failure is not null)
        {
            return outcome.Failure;
        }

        var principal = outcome.Principal!;
        if (!HttpMethods.IsGet(request.Method))
        {
            return SimResult.Empty(204);
        }

        var segments = request.NetSuitePath["/services/rest/record/v1/".Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var self = $"{request.RequestedHostBase()}{request.NetSuitePath}";
        return SimResult.Json(200, new Dictionary<string, object?>
        {
            ["links"] = new[] { new Dictionary<string, string> { ["rel"] = "self", ["href"] = self } },
            ["id"] = segments.Length > 1 ? segments[1] : null,
            ["recordType"] = segments.Length > 0 ? segments[0] : null,
            ["simulated"] = true,
            ["authenticatedAs"] = new Dictionary<string, object>
            {
                ["entity"] = principal.User.EntityId,
                ["role"] = principal.Role.Id,
                ["auth"] = principal.AuthKind,
            },
        }, "application/vnd.oracle.resource+json; type=singular-resource; charset=utf-8");
    }

    /// <summary><c>{RESTlets}/app/site/hosting/restlet.nl?script=..&amp;deploy=..</c>: echoes who called, for any method.</summary>
    private async ValueTask<SimResult> RestletAsync(SimRequest request)
    {
        var outcome = await AuthenticateResourceAsync(request, "restlets");
        if (outcome.Failure is not null)
        {
            return outcome.Failure;
        }

        var script = request.Query("script");
        var deploy = request.Query("deploy");
        if (string.IsNullOrEmpty(script) || string.IsNullOrEmpty(deploy))
        {
            return Responses.RestletError(400, "SSS_MISSING_REQD_ARGUMENT", "A RESTlet call needs the script and deploy parameters.");
        }

        var principal = outcome.Principal!;
        return SimResult.Json(200, new Dictionary<string, object>
        {
            ["ok"] = true,
            ["script"] = script,
            ["deploy"] = deploy,
            ["method"] = request.Method,
            ["account"] = request.Account.Id,
            ["entity"] = principal.User.EntityId,
            ["role"] = principal.Role.Id,
            ["auth"] = principal.AuthKind,
        });
    }

    /// <summary>
    /// <c>GET {RESTlets}/rest/tokeninfo</c> with a TBA signature: company, role and entity of the token
    /// (NetSuite topic 3.1; the field names are UNCONFIRMED).
    /// </summary>
    private async ValueTask<SimResult> TokenInfoAsync(SimRequest request)
    {
        var header = request.Http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase))
        {
            Audit(request, false, "MissingAuthorization", note: "tokeninfo needs a TBA (OAuth 1.0a) signature.");
            return Responses.RestletInvalidLogin();
        }

        var outcome = await VerifyTbaAsync(request, header);
        if (outcome.Failure is not null)
        {
            return outcome.Failure;
        }

        var principal = outcome.Principal!;
        return SimResult.Json(200, new Dictionary<string, object>
        {
            ["companyName"] = request.Account.CompanyName,
            ["companyId"] = request.Account.Id,
            ["roleName"] = principal.Role.Name,
            ["roleId"] = principal.Role.Id,
            ["entityId"] = principal.User.EntityId,
        });
    }

    /// <summary><c>GET {SuiteTalk}/services/rest/auth/oauth2/v1/keys</c>: the public key that signs access and refresh tokens (JWKS).</summary>
    private ValueTask<SimResult> KeysAsync(SimRequest request)
    {
        var parameters = State.SigningKey.ExportParameters(includePrivateParameters: false);
        return ValueTask.FromResult(SimResult.Json(200, new Dictionary<string, object>
        {
            ["keys"] = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = State.SigningKeyId,
                    ["n"] = Protocol.Base64Url.Encode(parameters.Modulus),
                    ["e"] = Protocol.Base64Url.Encode(parameters.Exponent),
                },
            },
        }));
    }

    /// <summary>
    /// <c>GET /rest/datacenterurls?account=&lt;id&gt;</c> (no account prefix, like <c>rest.netsuite.com</c>):
    /// the simulator's own URLs for the account.
    /// </summary>
    private async Task DataCenterUrlsAsync(HttpContext context)
    {
        var accountValues = context.Request.Query["account"];
        var accountId = accountValues.Count == 1 ? accountValues[0] : null;
        if (string.IsNullOrEmpty(accountId) || !Protocol.AccountIds.IsWellFormed(accountId)
            || !State.TryGetAccount(accountId, out var account))
        {
            await WriteAsync(context, Responses.RestletError(400, "INVALID_ACCOUNT", "Unknown or missing account id."));
            return;
        }

        var (latency, fault) = Faults.Match(SimEndpoint.DataCenterUrls, account.Id);
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, context.RequestAborted);
        }

        if (fault is not null)
        {
            await ApplyFaultAsync(context, fault);
            return;
        }

        var origin = $"{context.Request.Scheme}://{context.Request.Host.Value}/{account.HostLabel}";
        await WriteAsync(context, SimResult.Json(200, new Dictionary<string, string>
        {
            ["restDomain"] = $"{origin}/restlets",
            ["webservicesDomain"] = $"{origin}/suitetalk",
            ["systemDomain"] = $"{origin}/app",
        }));
    }
}
