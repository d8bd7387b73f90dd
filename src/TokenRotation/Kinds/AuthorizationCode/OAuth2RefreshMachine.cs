using Microsoft.Extensions.Options;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Telemetry;

namespace TokenRotation.Kinds.AuthorizationCode;

/// <summary>
/// OAuth 2.0 authorization-code connections (architecture section 4, last paragraph): refresh the access token before it
/// expires and publish it to the consumer vault; write the state vault only when durable state changes. For public
/// clients the new single-use refresh token is persisted before anything else, and a refresh whose answer was not
/// seen is never retried with the spent token: the connection needs a person.
/// </summary>
public sealed class OAuth2RefreshMachine(
    RunEffects effects, IAccountGate gate, NetSuiteTokenClient tokens, RotationTelemetry telemetry, IOptions<RotationOptions> rotation, TimeProvider time)
{
    private DateTimeOffset Now => time.GetUtcNow();

    public async Task<OutcomeKind> RunAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var doc = ctx.Doc;
        var oauth = doc.OAuth2 ?? throw new InvalidDataException($"Connection {doc.Name} is {doc.Kind} but has no oauth2 section.");
        var defaults = rotation.Value;

        if (oauth.RefreshToken is null)
        {
            if (doc.Status != ConnectionStatus.NeedsPerson)
            {
                await effects.NeedsPersonAsync(ctx, "Not consented yet: open the consent link, log in to NetSuite with the integration's user and role, and choose Allow.", true, cancellationToken).ConfigureAwait(false);
                await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            }

            return OutcomeKind.NeedsPerson;
        }

        if (oauth.RefreshStartedAt is { } started)
        {
            // A previous run sent a single-use refresh and its answer was never persisted.
            if (doc.Status != ConnectionStatus.NeedsPerson)
            {
                await effects.NeedsPersonAsync(ctx,
                    $"A refresh sent at {started:u} got no answer that was saved, so the single-use refresh token may be spent; it is not used again. Consent again to get a new one.",
                    true, cancellationToken).ConfigureAwait(false);
                await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            }

            return OutcomeKind.NeedsPerson;
        }

        var now = Now;
        var end = AuthorizationCodeKind.RefreshEnds(oauth);
        if (end is { } e && now >= e)
        {
            var what = oauth.ChainEndsAt is { } chain && chain <= e ? "The public client's token chain reached its maximum rotation time" : "The refresh token expired";
            await effects.NeedsPersonAsync(ctx, $"{what} at {e:u}. Consent again to get a new refresh token.", true, cancellationToken).ConfigureAwait(false);

            // The token is dead: drop it, so that nothing schedules or sends it again (no call, no write per sweep).
            oauth.RefreshToken = null;
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            return OutcomeKind.NeedsPerson;
        }

        // The warning ahead of the refresh token's end: a person must consent again soon, but refreshing continues.
        // It lives in the index (the state tag) and in telemetry, not in a new state version: architecture section 3 keeps a
        // confidential client's state to consents, so that its versions stay few.
        var warningStarted = false;
        if (AuthorizationCodeKind.ConsentWarningActive(doc, defaults, now) && doc.StoredIndex?.State != ConnectionStatus.NeedsPerson)
        {
            await effects.WarnAsync(ctx, AuthorizationCodeKind.ConsentWarning(oauth), cancellationToken).ConfigureAwait(false);
            warningStarted = true;
        }

        var next = AuthorizationCodeKind.NextRefresh(doc, defaults, doc.StoredIndex?.CredentialExpiresAt);
        var due = ctx.Request.Now || next is null || next <= now;
        if (!due)
        {
            return warningStarted ? OutcomeKind.NeedsPerson : OutcomeKind.NothingToDo;
        }

        if (ctx.Request.DryRun)
        {
            ctx.Did(oauth.IsPublicClient
                ? "would refresh the access token (public client: persist the new single-use refresh token first, then publish the access token)"
                : "would refresh the access token and publish it to the consumer vault");
            return OutcomeKind.DryRun;
        }

        var client = oauth.IsPublicClient
            ? OAuth2ClientAuthentication.Public(oauth.ClientId)
            : OAuth2ClientAuthentication.Confidential(oauth.ClientId, oauth.ClientSecret ?? throw new InvalidDataException($"Connection {doc.Name} is a confidential client without a client secret."));

        if (oauth.IsPublicClient)
        {
            // The journal's key is in hand before NetSuite is asked, so that a state vault refusing writes afterwards
            // cannot cost the new token.
            await effects.PrepareSingleUseAsync(ctx, cancellationToken).ConfigureAwait(false);

            // Intent first: if this run dies after sending, the next run knows the token may be spent. The marker holds
            // no secret, so it goes with the index, not into a state-vault version (architecture section 13).
            oauth.RefreshStartedAt = now;
            await effects.SaveIntentAsync(ctx, cancellationToken).ConfigureAwait(false);
        }

        telemetry.Started(ctx.Name, ctx.Kind, "refresh", "");
        NetSuiteResult<TokenResponse> result;
        await using (await gate.EnterAsync(ctx.Doc.Account, cancellationToken).ConfigureAwait(false))
        {
            result = await tokens.RefreshAsync(ctx.Account, client, oauth.RefreshToken!, cancellationToken).ConfigureAwait(false);
        }

        if (!result.IsSuccess)
        {
            return await FailedAsync(ctx, result.Error!, cancellationToken).ConfigureAwait(false);
        }

        var response = result.Value;
        if (oauth.IsPublicClient)
        {
            if (response.RefreshToken is not { } refreshToken)
            {
                // The old token is spent and NetSuite sent no new one: nothing can refresh this connection any more.
                oauth.RefreshToken = null;
                oauth.RefreshStartedAt = null;
                await effects.NeedsPersonAsync(ctx, "NetSuite answered a public client's refresh without a new refresh token, so the chain ended. Consent again.", true, cancellationToken).ConfigureAwait(false);
                await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
                return OutcomeKind.NeedsPerson;
            }

            // The raw token first, with nothing parsed or validated that could fail before it is durable.
            AcceptRefreshToken(ctx, oauth, refreshToken);
            ctx.ClearError();
            ctx.Doc.LastSuccessAt = Now;
            await effects.SaveSingleUseTokenAsync(ctx, refreshToken, now, oauth.RefreshTokenExpiresAt, cancellationToken).ConfigureAwait(false);
            if (!ctx.Journalled)
            {
                ctx.Did("persisted the new single-use refresh token");
            }
        }

        foreach (var oddity in response.Oddities)
        {
            telemetry.Oddity(ctx.Name, ctx.Kind, "refresh", oddity);
        }

        if (response.AccessToken is not { } accessToken)
        {
            // Only a public client's answer can lack it (TokenResponse.AccessToken), and its refresh token is kept by now.
            ctx.Did("NetSuite's refresh answer carried a new refresh token (stored) but no access token; the next run refreshes again");
            return OutcomeKind.Failed;
        }

        var accessExpiresAt = AccessTokenExpiry(ctx, response);
        await effects.PublishAccessTokenAsync(ctx, accessToken, accessExpiresAt, cancellationToken).ConfigureAwait(false);
        ctx.AccessTokenExpiresAt = accessExpiresAt;
        ctx.Worked(Now, "refresh"); // the refresh is this connection's scheduled check (architecture section 13)
        ctx.Did($"published a new access token valid until {accessExpiresAt:u}");
        telemetry.Succeeded(ctx.Name, ctx.Kind, "refresh", $"access token until {accessExpiresAt:u}");

        if (ctx.Journalled)
        {
            // The access token is out; the state document waits for the journal's replay in the next run.
            return OutcomeKind.Failed;
        }

        if (!oauth.IsPublicClient && (ctx.Doc.LastError is not null || ctx.Doc.Status == ConnectionStatus.Failing))
        {
            ctx.ClearError();
            ctx.Doc.LastSuccessAt = Now;
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        }

        return OutcomeKind.Succeeded;
    }

    /// <summary>
    /// Puts a public client's new refresh token into the working copy with what can be read from it, tolerantly: a
    /// token that is not a NetSuite JWT is kept all the same, and the oddity reported.
    /// </summary>
    internal void AcceptRefreshToken(RunContext ctx, OAuth2Definition oauth, string refreshToken, string operation = "refresh")
    {
        oauth.RefreshToken = refreshToken;
        oauth.RefreshStartedAt = null;
        if (NetSuiteTokenFacts.TryRead(refreshToken, out var refreshFacts))
        {
            oauth.RefreshTokenExpiresAt = refreshFacts.ExpiresAt;
            oauth.RefreshTokenIssuedAt = refreshFacts.IssuedAt ?? Now;
            if (refreshFacts.OriginalIssuedAt is { } oit)
            {
                oauth.ChainEndsAt = oit + TimeSpan.FromHours(oauth.MaxRotationHours);
            }
        }
        else
        {
            oauth.RefreshTokenIssuedAt = Now;
            oauth.RefreshTokenExpiresAt = null;
            telemetry.Oddity(ctx.Name, ctx.Kind, operation, "the new refresh token is not a JWT NetSuite signed; its end is unknown and the chain's end is kept");
        }
    }

    /// <summary>The access token's own <c>exp</c> when it is a JWT; otherwise <c>expires_in</c>, otherwise NetSuite's documented hour.</summary>
    internal DateTimeOffset AccessTokenExpiry(RunContext ctx, TokenResponse response, string operation = "refresh")
    {
        if (NetSuiteTokenFacts.TryRead(response.AccessToken, out var facts))
        {
            return facts.ExpiresAt;
        }

        var lifetime = response.ExpiresIn ?? DocumentedAccessTokenLifetime;
        telemetry.Oddity(ctx.Name, ctx.Kind, operation,
            $"the access token is not a JWT; its lifetime is taken from {(response.ExpiresIn is null ? "NetSuite's documented 60 minutes" : "expires_in")}");
        return Now + lifetime;
    }

    private static readonly TimeSpan DocumentedAccessTokenLifetime = TimeSpan.FromMinutes(60);

    private async Task<OutcomeKind> FailedAsync(RunContext ctx, NetSuiteError error, CancellationToken cancellationToken)
    {
        var oauth = ctx.Doc.OAuth2!;
        if (error.Code is "invalid_grant")
        {
            // NetSuite refused the token itself (expired, revoked, already used): drop it, so that no sweep sends it again.
            oauth.RefreshToken = null;
            oauth.RefreshStartedAt = null;
            effects.RecordError(ctx, error, "refresh", retry: false);
            var causes = ctx.Account.IsSandbox ? "expired, revoked, already used, or wiped by a sandbox refresh" : "expired, revoked, or already used";
            await effects.NeedsPersonAsync(ctx, $"NetSuite refused the refresh token (invalid_grant: {causes}). Consent again.", true, cancellationToken).ConfigureAwait(false);
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            return OutcomeKind.NeedsPerson;
        }

        if (oauth.IsPublicClient && error.MayHaveBeenProcessed)
        {
            // NetSuite may have rotated the refresh token without our seeing the new one: never resend the old one.
            effects.RecordError(ctx, error, "refresh", retry: false);
            await effects.NeedsPersonAsync(ctx,
                "The refresh answer was lost after NetSuite may have processed it, so the single-use refresh token may be spent; it is not used again. Consent again.",
                true, cancellationToken).ConfigureAwait(false);
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            return OutcomeKind.NeedsPerson;
        }

        if (oauth.IsPublicClient)
        {
            oauth.RefreshStartedAt = null; // provably not processed: the token is still good
        }

        if (error.Class == NetSuiteErrorClass.NeedsPerson)
        {
            effects.RecordError(ctx, error, "refresh", retry: true);
            await effects.NeedsPersonAsync(ctx, $"NetSuite refused the refresh: {error.Message}", true, cancellationToken).ConfigureAwait(false);
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            return OutcomeKind.NeedsPerson;
        }

        effects.RecordError(ctx, error, "refresh", retry: true);
        if (ctx.Doc.Status == ConnectionStatus.Healthy)
        {
            ctx.Doc.Status = ConnectionStatus.Failing;
        }

        await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        return OutcomeKind.Failed;
    }
}
