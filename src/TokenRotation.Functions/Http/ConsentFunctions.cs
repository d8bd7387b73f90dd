using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Engine;

namespace TokenRotation.Functions.Http;

/// <summary>
/// The browser consent (architecture section 7): a signed consent link starts it, NetSuite redirects back to the callback.
/// Both are anonymous: the link's signature, the consent session and the browser-binding cookie are the guards.
/// </summary>
public sealed class ConsentFunctions(ConsentService consent, IConsentLinkFactory links)
{
    public const string CallbackRoute = "oauth/callback";

    [Function(nameof(StartConsent))]
    public async Task<IActionResult> StartConsent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "consent/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var start = await consent.StartAsync(token, cancellationToken).ConfigureAwait(false);
        if (start is not { Status: ConsentStartStatus.Redirect, AuthorizeUrl: { } authorize, CookieName: { } name, CookieValue: { } value })
        {
            return HttpResults.Html(start.StatusCode, Pages.ConsentStartProblem(start));
        }

        request.HttpContext.Response.Cookies.Append(name, value, BindingCookie(ConsentService.SessionLifetime));
        return HttpResults.Redirect(authorize);
    }

    [Function(nameof(OAuthCallback))]
    public async Task<IActionResult> OAuthCallback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CallbackRoute)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var callback = ReadCallback(request);
        var result = await consent.CompleteAsync(callback, cancellationToken).ConfigureAwait(false);
        if (callback.State is { Length: > 0 and <= 1024 } state && request.Cookies.ContainsKey(ConsentService.CookieName(state)))
        {
            // The session is spent whatever the outcome: drop its cookie.
            request.HttpContext.Response.Cookies.Delete(ConsentService.CookieName(state), BindingCookie(null));
        }

        return HttpResults.Html(result.StatusCode, Pages.ConsentResult(result, await RetryLinkAsync(result, cancellationToken).ConfigureAwait(false)));
    }

    /// <summary>
    /// A fresh consent link for "Try again", only where this browser proved it holds the consent's binding (it came
    /// through a valid link minutes ago) and the connection still waits for a consent. Without the binding (another
    /// browser, an unknown or used state) the page offers no link: knowing a state from an address is not enough.
    /// </summary>
    private async Task<string?> RetryLinkAsync(ConsentResult result, CancellationToken cancellationToken) =>
        result.Kind is ConsentOutcomeKind.Denied or ConsentOutcomeKind.NetSuiteError or ConsentOutcomeKind.Expired or ConsentOutcomeKind.Refused
            or ConsentOutcomeKind.Failed or ConsentOutcomeKind.Busy or ConsentOutcomeKind.InvalidRequest
            && result.Connection is { } connection && ConnectionName.TryParse(connection, out var name)
            ? await links.CreateAsync(name, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>The binding cookie: only over https, not readable by script, sent on NetSuite's top-level redirect, only to the callback.</summary>
    internal static CookieOptions BindingCookie(TimeSpan? maxAge) => new()
    {
        Secure = true,
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Path = ConsentService.CookiePath,
        MaxAge = maxAge,
        IsEssential = true,
    };

    internal static ConsentCallback ReadCallback(HttpRequest request)
    {
        var query = request.Query;
        string[] names = ["state", "code", "error", "company", "role", "entity"];
        var cookies = request.Cookies;
        return new ConsentCallback
        {
            State = Single("state"),
            Code = Single("code"),
            Error = Single("error"),
            Company = Single("company"),
            Role = Single("role"),
            Entity = Single("entity"),
            HasRepeatedParameters = names.Any(n => query[n].Count > 1),
            ReadCookie = name => cookies.TryGetValue(name, out var value) ? value : null,
        };

        string? Single(string name) => query[name] is { Count: 1 } values ? values[0] : null;
    }
}
