using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenRotation.Functions.Http;

namespace TokenRotation.Functions.Middleware;

/// <summary>What an HTTP function asks of its caller.</summary>
public enum OperatorAccess
{
    /// <summary>Anyone: the consent link, the OAuth 2.0 callback (NetSuite redirects a browser there) and health.</summary>
    Anonymous,

    /// <summary>An Entra ID access token with <see cref="OperatorAuthOptions.ReadRole"/> or <see cref="OperatorAuthOptions.OperateRole"/>.</summary>
    Read,

    /// <summary>An Entra ID access token with <see cref="OperatorAuthOptions.OperateRole"/>.</summary>
    Operate,
}

/// <summary>
/// Entra ID sign-in for the status page and the operator API. Flex Consumption does not enforce App Service
/// authentication, so the app validates the bearer token itself (signature, issuer, audience, lifetime) and checks
/// the app role: Status.Read reads, Connections.Operate also changes. The function key grants nothing here: the
/// functions are anonymous to the host, and a key that could rotate would be a shared secret again.
/// </summary>
public sealed partial class OperatorAuthMiddleware(
    IOptions<OperatorAuthOptions> options, IOperatorSigningKeys signingKeys, TimeProvider timeProvider, ILogger<OperatorAuthMiddleware> logger)
    : IFunctionsWorkerMiddleware
{
    private static readonly HashSet<string> AnonymousFunctions = new(StringComparer.Ordinal) { "StartConsent", "OAuthCallback", "Health" };
    private static readonly HashSet<string> ReadFunctions = new(StringComparer.Ordinal) { "ListConnections", "StatusPage" };

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>What <paramref name="functionName"/> asks; an HTTP function not listed needs the operate role.</summary>
    public static OperatorAccess AccessFor(string functionName) =>
        AnonymousFunctions.Contains(functionName) ? OperatorAccess.Anonymous
        : ReadFunctions.Contains(functionName) ? OperatorAccess.Read
        : OperatorAccess.Operate;

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var access = AccessFor(context.FunctionDefinition.Name);
        if (access == OperatorAccess.Anonymous || context.GetHttpContext() is not { } http)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var settings = options.Value;
        if (!settings.IsConfigured)
        {
            await RefuseAsync(http, StatusCodes.Status503ServiceUnavailable, "Operator sign-in is not configured",
                "Set OperatorAuth__TenantId and OperatorAuth__ClientId (the Entra app registration of the operator API); infra/README.md shows how.").ConfigureAwait(false);
            return;
        }

        var principal = await AuthenticateAsync(http.Request, settings, http.RequestAborted).ConfigureAwait(false);
        if (principal is null)
        {
            http.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{settings.ClientId}\", authorization_uri=\"{settings.Instance.TrimEnd('/')}/{settings.TenantId}/oauth2/v2.0/authorize\"";
            await RefuseAsync(http, StatusCodes.Status401Unauthorized, "Sign-in required",
                $"Send an Entra ID access token for api://{settings.ClientId} as 'Authorization: Bearer <token>' (az account get-access-token --scope api://{settings.ClientId}/.default).").ConfigureAwait(false);
            return;
        }

        var roles = principal.FindAll("roles").Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var allowed = roles.Contains(OperatorAuthOptions.OperateRole) || (access == OperatorAccess.Read && roles.Contains(OperatorAuthOptions.ReadRole));
        var caller = principal.FindFirst("oid")?.Value ?? "(no oid)";
        if (!allowed)
        {
            LogForbidden(context.FunctionDefinition.Name, caller);
            var needed = access == OperatorAccess.Read ? $"{OperatorAuthOptions.ReadRole} or {OperatorAuthOptions.OperateRole}" : OperatorAuthOptions.OperateRole;
            await RefuseAsync(http, StatusCodes.Status403Forbidden, "Role missing",
                $"This needs the app role {needed}; an administrator assigns it in Entra ID (Enterprise applications).").ConfigureAwait(false);
            return;
        }

        LogAllowed(context.FunctionDefinition.Name, caller);
        http.User = principal;
        await next(context).ConfigureAwait(false);
    }

    private async Task<ClaimsPrincipal?> AuthenticateAsync(HttpRequest request, OperatorAuthOptions settings, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length <= scheme.Length)
        {
            return null;
        }

        var keys = await signingKeys.GetAsync(cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudiences = [settings.ClientId, $"api://{settings.ClientId}"],
            IssuerSigningKeys = keys,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(5),
            // The handler's clock is the app's, so tests on a fake clock validate lifetimes as production does.
            LifetimeValidator = (notBefore, expires, _, p) =>
                (notBefore is null || notBefore.Value - p.ClockSkew <= now) && expires is { } e && now <= e + p.ClockSkew,
        };

        var result = await _handler.ValidateTokenAsync(header[scheme.Length..].Trim(), parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            // The reason, never the token.
            LogRejected(result.Exception?.GetType().Name ?? "invalid token");
            return null;
        }

        return new ClaimsPrincipal(result.ClaimsIdentity);
    }

    private static Task RefuseAsync(HttpContext http, int status, string title, string detail) =>
        HttpResults.Problem(status, title, detail).ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext { HttpContext = http });

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Operator token rejected: {Reason}")]
    private partial void LogRejected(string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Operator {Caller} lacks the role for {Function}")]
    private partial void LogForbidden(string function, string caller);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Operator {Caller} calls {Function}")]
    private partial void LogAllowed(string function, string caller);
}
