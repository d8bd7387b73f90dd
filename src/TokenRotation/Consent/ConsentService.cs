using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Stores;

namespace TokenRotation.Consent;

/// <summary>
/// The browser consent of architecture section 7. <see cref="StartAsync"/> turns a signed consent link into a consent
/// session (state, encrypted PKCE verifier, 10-minute expiry, a browser binding whose raw value goes in a cookie) and
/// NetSuite's authorize URL; opening the same link again replaces that link's session. <see cref="CompleteAsync"/>
/// checks NetSuite's redirect (state, cookie before single use, expiry, error parameters, shape of every value) and
/// hands the code to <see cref="ConsentCodeExchange.CompleteConsentAsync"/>, which exchanges it under the connection's
/// lease and checks account, role and entity in the tokens NetSuite issued. Every answer is a result with a message
/// for the person; nothing here throws on bad input.
/// </summary>
public sealed partial class ConsentService(
    ConsentLinkFactory links,
    VerifierProtector verifiers,
    IConsentSessionStore sessions,
    IConnectionStore store,
    ConsentCodeExchange consents,
    NetSuiteEndpoints endpoints,
    TimeProvider timeProvider,
    ILogger<ConsentService> logger)
{
    /// <summary>How long a started consent may take (NetSuite's authorization codes live about as long).</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The binding cookie is sent only to the callback.</summary>
    public const string CookiePath = "/api/oauth";

    public const string CookiePrefix = "nstoken-consent-";

    private const int MaxCodeLength = 2048;

    /// <summary>
    /// The binding cookie's name for a session: one cookie per consent in progress, so two consents started in one
    /// browser do not overwrite each other. Derived from the state, which the name does not reveal.
    /// </summary>
    public static string CookieName(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return CookiePrefix + CoordinationKeys.Sha256Hex(state)[..16];
    }

    public async Task<ConsentStart> StartAsync(string? token, CancellationToken cancellationToken = default)
    {
        var check = await links.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        switch (check.Problem)
        {
            case ConsentLinkProblem.Malformed:
            case ConsentLinkProblem.BadSignature:
                LogBadLink(check.Problem);
                return ConsentStart.Fail(ConsentStartStatus.InvalidLink, null,
                    "This consent link is not valid: it may have been cut off or changed when it was copied.",
                    "Copy the whole link again from the message it came in. If it still fails, ask an operator of the token service for a new link: they make one with `nstoken consent-link <connection>`.");
            case ConsentLinkProblem.Expired:
                return ConsentStart.Fail(ConsentStartStatus.ExpiredLink, check.Connection!.Value,
                    $"This consent link for {check.Connection.Value} expired on {check.ExpiresAt:u}.",
                    "Ask an operator of the token service for a new link: they find one on the status page, or make one with `nstoken consent-link " + check.Connection.Value + "`.");
        }

        var name = check.Connection!;
        var document = await store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return ConsentStart.Fail(ConsentStartStatus.UnknownConnection, name.Value,
                $"There is no connection named {name.Value} any more.",
                "Check the connection's name on the status page; a deleted connection must be imported again.");
        }

        if (document.Kind != ConnectionKind.OAuth2AuthorizationCode || document.OAuth2 is not { } oauth)
        {
            return ConsentStart.Fail(ConsentStartStatus.NotConsentable, name.Value,
                $"{name.Value} is a {ConnectionKindNames.Display(document.Kind)} connection, which is not set up by a browser consent.",
                "See the status page for what this connection needs.");
        }

        Uri authorizeUrl;
        var state = NetSuiteAuthorizeUrl.CreateState();
        var pkce = Pkce.Create();
        try
        {
            // Imported without an account: NetSuite's generic page, where the person's login decides the account.
            var pending = AccountRestriction.IsAccountPending(document);
            var authorizeEndpoint = pending ? endpoints.GenericAuthorize : endpoints.Authorize(NetSuiteAccountId.Parse(document.Account));
            authorizeUrl = NetSuiteAuthorizeUrl.Build(authorizeEndpoint, new NetSuiteAuthorizeRequest
            {
                ClientId = oauth.ClientId,
                RedirectUri = new Uri(oauth.RedirectUri, UriKind.Absolute),
                Scopes = NetSuiteScopeValues.Parse(string.Join(' ', oauth.Scopes)),
                State = state,
                CodeChallenge = pkce.CodeChallenge,

                // Log in again and show the consent screen: a leaked link is worth little, and the person picks the role.
                // prompt=login works only on an account's own domain; the generic page always asks who logs in.
                Prompt = pending ? AuthorizePrompt.Consent : AuthorizePrompt.Login | AuthorizePrompt.Consent,
            });
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException)
        {
            return ConsentStart.Fail(ConsentStartStatus.NotConsentable, name.Value,
                $"{name.Value} cannot start a consent: {ex.Message}",
                "Fix the connection's definition (client id, redirect URI, scopes) with nstoken, then open a fresh link.");
        }

        var binding = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var expiresAt = timeProvider.GetUtcNow() + SessionLifetime;
        var encrypted = await verifiers.ProtectAsync(pkce.CodeVerifier, name.Value, cancellationToken).ConfigureAwait(false);
        await sessions.CreateAsync(new ConsentSession(state, name.Value, CoordinationKeys.Sha256Hex(binding), encrypted, expiresAt, LinkKey(check)), cancellationToken).ConfigureAwait(false);
        LogStarted(name.Value, AccountRestriction.IsAccountPending(document) ? "(chosen at consent)" : document.Account);
        return new ConsentStart(ConsentStartStatus.Redirect, name.Value, "Redirecting to NetSuite.", "", authorizeUrl, CookieName(state), binding, expiresAt);
    }

    public async Task<ConsentResult> CompleteAsync(ConsentCallback callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (callback.HasRepeatedParameters || !NetSuiteAuthorizeUrl.IsValidState(callback.State))
        {
            return Finish(ConsentResult.InvalidRequest(null, "This page was opened with a missing or malformed consent state."));
        }

        var state = callback.State!;

        // The browser binding is checked before the session is used up: knowing the state alone must not let anyone
        // spend the consent of the person whose browser holds the cookie.
        var session = await sessions.GetAsync(state, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            return Finish(UnknownOrUsed());
        }

        var connection = session.Connection;
        var cookie = callback.ReadCookie(CookieName(state));
        if (cookie is null || !SameHash(cookie, session.BrowserBinding))
        {
            return Finish(new ConsentResult(ConsentOutcomeKind.WrongBrowser, connection, 400, "Consent finished in another browser",
                $"The consent for {connection} was started in another browser (or its cookie was blocked), so it was not accepted. Nothing was changed.",
                "Open the consent link and finish the consent in the same browser, with cookies allowed for this site."));
        }

        session = await sessions.TryConsumeAsync(state, cancellationToken).ConfigureAwait(false);
        if (session is null || !SameHash(cookie, session.BrowserBinding))
        {
            return Finish(UnknownOrUsed());
        }

        if (session.ExpiresAt <= timeProvider.GetUtcNow())
        {
            return Finish(new ConsentResult(ConsentOutcomeKind.Expired, connection, 400, "This consent took too long",
                $"The consent for {connection} must be finished within {SessionLifetime.TotalMinutes:0} minutes of opening the link. Nothing was changed.",
                "Open the consent link again and finish the consent without a long pause."));
        }

        if (callback.Error is { } error)
        {
            return Finish(error == "access_denied"
                ? new ConsentResult(ConsentOutcomeKind.Denied, connection, 200, "Consent was denied",
                    $"NetSuite reported that access was denied for {connection}: Deny was chosen, or the chosen role may not log in with OAuth 2.0 tokens. Nothing was changed; {connection} still needs a consent.",
                    "Open the consent link again, log in as the integration's user, choose its role and choose Allow.")
                : new ConsentResult(ConsentOutcomeKind.NetSuiteError, connection, 502, "NetSuite refused the consent",
                    $"NetSuite answered with the error {DescribeError(error)} for {connection}. Nothing was changed.",
                    ErrorAdvice(error)));
        }

        var problems = new List<string>();
        Check(callback.Code, CodePattern(), MaxCodeLength, "code", problems);
        Check(callback.Role, IdPattern(), 40, "role", problems);
        Check(callback.Entity, IdPattern(), 40, "entity", problems);
        if (!NetSuiteAccountId.TryParse(callback.Company is { Length: <= 64 } c ? c : null, out _))
        {
            problems.Add("company");
        }

        if (problems.Count > 0)
        {
            return Finish(ConsentResult.InvalidRequest(connection,
                $"NetSuite's answer for {connection} is missing or has a malformed {string.Join(", ", problems)}."));
        }

        var verifier = await verifiers.UnprotectAsync(session.EncryptedVerifier, connection, cancellationToken).ConfigureAwait(false);
        if (verifier is null || !ConnectionName.TryParse(connection, out var name))
        {
            return Finish(new ConsentResult(ConsentOutcomeKind.Failed, connection, 500, "The consent could not be completed",
                $"The saved part of the consent for {connection} could not be read (its key may have been rotated twice since it started). Nothing was changed.",
                "Open the consent link again."));
        }

        var outcome = await consents.CompleteConsentAsync(name, new ConsentCompletion(callback.Code!, verifier, callback.Company!, callback.Role!, callback.Entity!), cancellationToken).ConfigureAwait(false);
        return Finish(outcome.Kind switch
        {
            OutcomeKind.Succeeded => new ConsentResult(ConsentOutcomeKind.Connected, connection, 200, "Connected",
                $"The consent for {connection} is done: the tokens are stored in Key Vault, and the service keeps them fresh from now on ({outcome.Message}).",
                "Nothing more to do; you can close this page."),
            OutcomeKind.Refused => new ConsentResult(ConsentOutcomeKind.Refused, connection, 403, "This consent was not accepted",
                outcome.Message, "Open the consent link again and follow the advice above."),
            OutcomeKind.Failed => new ConsentResult(ConsentOutcomeKind.Failed, connection, 502, "The consent was not completed",
                outcome.Message, "Open the consent link again; if it keeps failing, check the integration record in NetSuite and the service's health."),
            OutcomeKind.Conflict => new ConsentResult(ConsentOutcomeKind.Busy, connection, 409, "The connection is busy",
                $"Another run was working on {connection}, so the consent was not stored. Nothing was changed.",
                "Wait a minute, then open the consent link again."),
            OutcomeKind.NotFound => new ConsentResult(ConsentOutcomeKind.UnknownConnection, connection, 404, "Unknown connection",
                $"The connection {connection} no longer exists; nothing was stored.", "Import the connection again, then consent."),
            _ => new ConsentResult(ConsentOutcomeKind.Failed, connection, 500, "The consent could not be completed",
                outcome.Message, "Open the consent link again."),
        });
    }

    /// <summary>
    /// Identifies a link by what its signature covers (connection and expiry), not by the token's text, so spelling
    /// the same link differently does not make it another link.
    /// </summary>
    private static string LinkKey(ConsentLinkCheck check) =>
        CoordinationKeys.Sha256Hex($"{check.Connection!.Value}\n{check.ExpiresAt!.Value.ToUnixTimeSeconds()}");

    private static ConsentResult UnknownOrUsed() => new(ConsentOutcomeKind.UnknownOrUsed, null, 400, "This consent was already used or is unknown",
        "Each consent can be completed once, and this one was completed, abandoned, replaced by opening the link again, or never started here. Nothing was changed.",
        "Open the connection's consent link again to start a new consent.");

    private ConsentResult Finish(ConsentResult result)
    {
        if (result.Kind == ConsentOutcomeKind.Connected)
        {
            LogCompleted(result.Connection ?? "");
        }
        else
        {
            LogNotCompleted(result.Connection ?? "(unknown)", result.Kind);
        }

        return result;
    }

    private static void Check(string? value, Regex pattern, int maxLength, string parameter, List<string> problems)
    {
        if (value is null || value.Length > maxLength || !pattern.IsMatch(value))
        {
            problems.Add(parameter);
        }
    }

    private static bool SameHash(string raw, string expectedHex)
    {
        var actual = Encoding.ASCII.GetBytes(CoordinationKeys.Sha256Hex(raw));
        var expected = Encoding.ASCII.GetBytes(expectedHex);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Only well-formed error codes are repeated (encoded by the page); anything else is described, not echoed.</summary>
    private static string DescribeError(string error) => ErrorPattern().IsMatch(error) ? error : "(unrecognised)";

    private static string ErrorAdvice(string error) => error switch
    {
        "unauthorized_client" => "The integration record may be blocked, waiting for approval, or without the authorization code grant: check it in NetSuite (Setup > Integration > Manage Integrations), then open the consent link again.",
        "invalid_scope" => "The connection asks for a scope the integration record does not allow: fix the scopes in NetSuite or on the connection, then open the consent link again.",
        "login_required" or "interaction_required" => "Log in to NetSuite in this browser, then open the consent link again.",
        _ => "Open the consent link again; if it happens again, check the integration record in NetSuite and the Login Audit Trail.",
    };

    // RFC 6749 allows any visible ASCII in a code; this takes the base64/base64url/hex alphabets codes are made of,
    // so quotes and angle brackets never reach NetSuite, a page or a log.
    [GeneratedRegex(@"\A[A-Za-z0-9._~+/=-]+\z")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"\A-?[0-9A-Za-z_]+\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"\A[a-z_]{1,64}\z")]
    private static partial Regex ErrorPattern();

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "Consent started for {Connection} on account {Account}")]
    private partial void LogStarted(string connection, string account);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "A consent link was refused: {Problem}")]
    private partial void LogBadLink(ConsentLinkProblem problem);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Information, Message = "Consent completed for {Connection}")]
    private partial void LogCompleted(string connection);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Warning, Message = "Consent callback for {Connection} not completed: {Outcome}")]
    private partial void LogNotCompleted(string connection, ConsentOutcomeKind outcome);
}
