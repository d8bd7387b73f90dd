using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Telemetry;

namespace TokenRotation.Kinds.AuthorizationCode;

/// <summary>
/// The end of a consent: the authorization code NetSuite redirected back with is exchanged for tokens under the
/// connection's lease, checked (<see cref="ConsentGrantCheck"/>) and stored; a connection imported without an account
/// binds to the one the consent chose.
/// </summary>
public sealed class ConsentCodeExchange(
    ConnectionProcessor processor,
    RunEffects effects,
    IAccountGate gate,
    NetSuiteTokenClient netSuiteTokens,
    NetSuiteDataCenterClient discovery,
    NetSuiteEndpoints endpoints,
    OAuth2RefreshMachine refreshMachine,
    RotationTelemetry telemetry,
    TimeProvider time)
{
    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// Completes a consent: NetSuite redirected back with a code. The query's company must be the connection's account
    /// (a cheap refusal before the exchange); after the exchange, the tokens NetSuite issued decide (see
    /// <see cref="ConsentGrantCheck"/>): role and entity must be the expected ones, or are pinned from the tokens by the
    /// first consent. A refused grant is revoked in NetSuite, and so is the refresh token a new consent replaces, after
    /// the new one is stored.
    /// </summary>
    public Task<ConnectionOutcome> CompleteConsentAsync(ConnectionName name, ConsentCompletion consent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        return processor.WithSessionAsync(name, new RunRequest { Trigger = "consent", Now = true }, async (ctx, ct) =>
        {
            var doc = ctx.Doc;
            var oauth = doc.OAuth2;
            if (doc.Kind != ConnectionKind.OAuth2AuthorizationCode || oauth is null)
            {
                return ConnectionRefusals.Refuse(ctx, $"{ctx.Name} is not an OAuth 2.0 authorization-code connection.");
            }

            var pending = AccountRestriction.IsAccountPending(doc);
            NetSuiteAccountId account;
            var tokenClient = netSuiteTokens;
            if (pending)
            {
                var (chosen, chosenClient, problem) = await ChooseAccountAsync(ctx, oauth, consent, ct).ConfigureAwait(false);
                if (problem is not null)
                {
                    return problem.Value;
                }

                (account, tokenClient) = (chosen!, chosenClient!);
            }
            else if (!NetSuiteAccountId.TryParse(consent.Company, out var company) || company != ctx.Account)
            {
                return ConnectionRefusals.Refuse(ctx, $"The consent came from NetSuite account {(company is null ? "(not readable)" : company.Realm)}, but {ctx.Name} expects account {doc.Account}; nothing was changed. Log in to account {doc.Account} and consent again.");
            }
            else
            {
                account = ctx.Account;
            }

            var client = oauth.IsPublicClient ? OAuth2ClientAuthentication.Public(oauth.ClientId) : OAuth2ClientAuthentication.Confidential(oauth.ClientId, oauth.ClientSecret ?? "");
            NetSuiteResult<TokenResponse> result;
            await using (await gate.EnterAsync(account.Realm, ct).ConfigureAwait(false))
            {
                result = await tokenClient.ExchangeCodeAsync(account, client, consent.Code, new Uri(oauth.RedirectUri), consent.CodeVerifier, ct).ConfigureAwait(false);
            }

            if (!result.IsSuccess)
            {
                effects.RecordError(ctx, result.Error!, "consent", retry: false);
                await effects.SaveAsync(ctx, ct).ConfigureAwait(false);
                ctx.Did($"NetSuite refused the authorization code ({result.Error!.Code}): {result.Error.Message} Start the consent again from a fresh link.");
                return OutcomeKind.Failed;
            }

            var tokens = result.Value;
            NetSuiteTokenFacts.TryRead(tokens.RefreshToken, out var issuedRefresh);
            NetSuiteTokenFacts.TryRead(tokens.AccessToken, out var issuedAccess);
            var grant = ConsentGrantCheck.Decide(ctx.Name, account, oauth.ExpectedRoleId, oauth.ExpectedEntityId, consent, issuedRefresh, issuedAccess);
            if (grant.Refusal is null && pending && (issuedRefresh ?? issuedAccess)?.Company is null)
            {
                // Nothing NetSuite signed names the account: the redirect's company alone must not pin it.
                grant = ConsentGrantDecision.Refuse($"NetSuite's tokens for {ctx.Name} do not say which account they are for, so the account the consent chose cannot be confirmed and was not pinned. Report this; the consent was not accepted.");
            }

            if (grant.Refusal is { } refusal)
            {
                var revoked = await RevokeGrantAsync(ctx, client, tokens.RefreshToken ?? tokens.AccessToken!, (issuedRefresh ?? issuedAccess)?.TokenId, "issued for a refused consent", ct, account, tokenClient).ConfigureAwait(false);
                if (!revoked)
                {
                    await effects.SaveAsync(ctx, ct).ConfigureAwait(false);
                }

                return ConnectionRefusals.Refuse(ctx, refusal + (revoked
                    ? " The tokens NetSuite issued for it were revoked, and nothing was stored."
                    : " The tokens NetSuite issued for it could not be revoked: they are recorded as a possible orphan; revoke them under Setup > Users/Roles > OAuth 2.0 Authorized Applications. Nothing else was stored."));
            }

            var replaced = oauth.RefreshToken is { } previous && previous != tokens.RefreshToken ? previous : null;
            if (tokens.RefreshToken is not { } refreshToken)
            {
                // Without a refresh token the answer always carries an access token (TokenResponse.AccessToken).
                var revokedAccess = await RevokeGrantAsync(ctx, client, tokens.AccessToken!, issuedAccess?.TokenId, "issued without a refresh token", ct).ConfigureAwait(false);
                if (!revokedAccess)
                {
                    await effects.SaveAsync(ctx, ct).ConfigureAwait(false);
                }

                return ConnectionRefusals.Refuse(ctx, "NetSuite answered the consent without a refresh token, so the service could not keep this connection alive; nothing was stored. Check that the integration record allows the authorization code grant, then consent again.");
            }

            // The code is spent: nothing read from the answer may cost its tokens, so they are read tolerantly.
            foreach (var oddity in tokens.Oddities)
            {
                telemetry.Oddity(ctx.Name, ctx.Kind, "consent", oddity);
            }

            // A consent starts a new chain; only a public client's chain has an end (oit + its maximum rotation time).
            oauth.ChainEndsAt = null;
            refreshMachine.AcceptRefreshToken(ctx, oauth, refreshToken, "consent");
            oauth.ChainEndsAt = oauth.IsPublicClient ? oauth.ChainEndsAt ?? Now + TimeSpan.FromHours(oauth.MaxRotationHours) : null;

            oauth.ConsentedAt = Now;
            oauth.ExpectedRoleId ??= grant.RoleId;
            oauth.ExpectedEntityId ??= grant.EntityId;
            if (pending)
            {
                // The tokens confirmed the account (aud), so it is pinned now, with the role and entity.
                doc.Account = account.Realm;
                ctx.Did($"bound to NetSuite account {account.Realm}, which NetSuite's tokens name");
            }

            doc.Status = ConnectionStatus.Healthy;
            doc.NeedsPersonReason = null;
            doc.LastError = null;
            doc.LastSuccessAt = Now;
            ctx.Worked(Now, "consent");
            if (!await StoreConsentAsync(ctx, client, refreshToken, issuedRefresh?.TokenId, account, tokenClient, ct).ConfigureAwait(false))
            {
                return OutcomeKind.Failed;
            }

            if (tokens.AccessToken is { } accessToken)
            {
                var accessExpiresAt = refreshMachine.AccessTokenExpiry(ctx, tokens, "consent");
                await effects.PublishAccessTokenAsync(ctx, accessToken, accessExpiresAt, ct).ConfigureAwait(false);
                ctx.AccessTokenExpiresAt = accessExpiresAt;
            }
            else
            {
                ctx.Did("NetSuite's answer carried no access token (the refresh token is stored); the next run refreshes for one");
            }

            var until = oauth.RefreshTokenExpiresAt is { } end ? $"the refresh token is valid until {end:u}" : "the refresh token's end could not be read from it";
            ctx.Did(oauth.ExpectedRoleId is null && oauth.ExpectedEntityId is null
                ? $"consent stored; NetSuite's tokens do not name a role and user, so none was pinned; {until}"
                : $"consent stored for role {oauth.ExpectedRoleId} and user {oauth.ExpectedEntityId}; {until}");
            telemetry.Succeeded(ctx.Name, ctx.Kind, "consent", until);

            // Only now that the new token is stored: a failed revoke is recorded, never a reason to lose the new token.
            if (replaced is not null)
            {
                NetSuiteTokenFacts.TryRead(replaced, out var replacedFacts);
                if (await RevokeGrantAsync(ctx, client, replaced, replacedFacts?.TokenId, "replaced by a new consent", ct).ConfigureAwait(false))
                {
                    ctx.Did("revoked the replaced refresh token in NetSuite");
                }
                else
                {
                    await effects.SaveAsync(ctx, ct).ConfigureAwait(false);
                }
            }

            return OutcomeKind.Succeeded;
        }, cancellationToken);
    }

    /// <summary>
    /// Stores what a consent's code exchange returned; the code is spent, so a transient refusal of the state vault is
    /// retried within the lease. When the vault still refuses, nothing of the consent is kept: the refresh token NetSuite
    /// issued is revoked (or, if NetSuite does not confirm, named as a possible orphan in telemetry, the only store left),
    /// the stored document and its index stay as they were (a grant already in use keeps working), and the person is
    /// told to open the link again. A person is at the browser; a journal entry could not carry the account, role and
    /// entity the consent pins, so asking again is the safe way.
    /// </summary>
    private async Task<bool> StoreConsentAsync(
        RunContext ctx, OAuth2ClientAuthentication client, string refreshToken, string? tokenId, NetSuiteAccountId account, NetSuiteTokenClient tokenClient, CancellationToken cancellationToken)
    {
        try
        {
            await effects.SaveRetryingAsync(ctx, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (RunEffects.IsTransientStoreFailure(ex))
        {
            ctx.Unsaved = true;
            var refused = $"the state vault did not accept the consent's tokens ({RunEffects.Describe(ex)}, after {effects.SaveAttempts} tries)";
            var revoke = await RevokeIssuedAsync(client, refreshToken, account, tokenClient, cancellationToken).ConfigureAwait(false);
            if (revoke.IsSuccess)
            {
                ctx.Did($"{refused}; the refresh token NetSuite issued for it was revoked, and nothing was changed. Open the consent link again in a few minutes.");
            }
            else
            {
                var tokenName = $"OAuth 2.0 refresh token {tokenId ?? "(no jti)"} of account {account.Realm} issued for a consent the state vault did not store";
                telemetry.PossibleOrphan(ctx.Name, account.Realm, tokenName, $"NetSuite did not confirm its revoke ({revoke.Error!.Code})");
                ctx.Did($"{refused}, and NetSuite did not confirm the revoke of the refresh token it issued ({revoke.Error.Code}): it is reported as a possible orphan; revoke it under Setup > Users/Roles > OAuth 2.0 Authorized Applications. Nothing else was changed. Open the consent link again in a few minutes.");
            }

            return false;
        }
    }

    private async Task<NetSuiteResult<int>> RevokeIssuedAsync(
        OAuth2ClientAuthentication client, string token, NetSuiteAccountId account, NetSuiteTokenClient tokenClient, CancellationToken cancellationToken)
    {
        await using (await gate.EnterAsync(account.Realm, cancellationToken).ConfigureAwait(false))
        {
            return await tokenClient.RevokeAsync(account, client, token, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A connection imported without an account: the redirect's <c>company</c> says where to exchange the code, once it
    /// is a well-formed account id the connection may bind to; its domains come from NetSuite's <c>datacenterurls</c>.
    /// The tokens then confirm it (<see cref="ConsentGrantCheck"/>). Nothing has been issued when this refuses.
    /// </summary>
    private async Task<(NetSuiteAccountId? Account, NetSuiteTokenClient? Tokens, OutcomeKind? Problem)> ChooseAccountAsync(
        RunContext ctx, OAuth2Definition oauth, ConsentCompletion consent, CancellationToken cancellationToken)
    {
        if (!NetSuiteAccountId.TryParse(consent.Company, out var company))
        {
            return (null, null, ConnectionRefusals.Refuse(ctx, $"NetSuite's answer for {ctx.Name} does not name a valid account; nothing was changed. Open the consent link again."));
        }

        if (!AccountRestriction.Allows(oauth.AllowedAccounts, company))
        {
            return (null, null, ConnectionRefusals.Refuse(ctx, $"The consent for {ctx.Name} was given in NetSuite account {company.Realm}, but {ctx.Name} may only bind to {AccountRestriction.Describe(oauth.AllowedAccounts!)}. The authorization code was not used, so NetSuite issued no tokens, and nothing was changed. Log in to one of those accounts and consent again, or ask the operator to change the allowed accounts."));
        }

        var domains = await discovery.DiscoverAsync(company, cancellationToken).ConfigureAwait(false);
        if (!domains.IsSuccess)
        {
            effects.RecordError(ctx, domains.Error!, "consent", retry: false);
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            ctx.Did($"NetSuite's data-center discovery did not answer for account {company.Realm} ({domains.Error!.Code}): {domains.Error.Message} The authorization code was not used and the account was not pinned; open the consent link again.");
            return (null, null, OutcomeKind.Failed);
        }

        ctx.Did($"NetSuite's data-center discovery gave the domains of account {company.Realm}");
        return (company, netSuiteTokens.WithEndpoints(endpoints.WithDiscoveredDomains(company, domains.Value)), null);
    }

    /// <summary>
    /// Revokes a refresh token (and its access tokens) in NetSuite. When NetSuite does not confirm, the token is
    /// recorded as a possible orphan on the document (by its <c>jti</c>, never its value); the caller saves.
    /// </summary>
    private async Task<bool> RevokeGrantAsync(
        RunContext ctx, OAuth2ClientAuthentication client, string token, string? tokenId, string why, CancellationToken cancellationToken,
        NetSuiteAccountId? account = null, NetSuiteTokenClient? tokenClient = null)
    {
        account ??= ctx.Account;
        var revoke = await RevokeIssuedAsync(client, token, account, tokenClient ?? netSuiteTokens, cancellationToken).ConfigureAwait(false);
        if (revoke.IsSuccess)
        {
            return true;
        }

        var tokenName = $"OAuth 2.0 refresh token {tokenId ?? "(no jti)"} of account {account.Realm} {why}";
        var reason = $"NetSuite did not confirm its revoke ({revoke.Error!.Code})";
        ctx.Doc.PossibleOrphans.Add(new PossibleOrphan { TokenName = tokenName, RecordedAt = Now, Reason = reason });
        telemetry.PossibleOrphan(ctx.Name, ctx.Doc.Account, tokenName, reason);
        ctx.Did($"recorded possible orphan {tokenName}: {reason}");
        return false;
    }

}
