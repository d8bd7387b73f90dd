using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using NetSuite.Auth.Tba;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>
/// The connection lifecycle an operator drives (CLI, HTTP): import, pause, resume, roll back, delete, status, and
/// completing a consent. Every action that changes a connection runs under its lease, and every one has a dry run.
/// </summary>
public sealed class ConnectionAdmin(EngineServices services, ConnectionProcessor processor, NetSuiteDataCenterClient discovery, NetSuiteEndpoints endpoints)
{
    /// <summary>Adds a connection. Its name must be free; a soft-deleted name must be recovered instead.</summary>
    public async Task<ConnectionOutcome> ImportAsync(ConnectionDocument document, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var name = ConnectionName.Parse(document.Name);
        document.Name = name.Value;

        // An OAuth 2.0 connection may leave its account to the first consent (NetSuite's generic authorize page).
        document.Account = AccountRestriction.IsAccountPending(document) ? "" : NetSuiteAccountId.Parse(document.Account).Realm;
        var problems = Validate(document);
        if (problems.Count > 0)
        {
            return Refused(name, $"Cannot import {name}: {string.Join("; ", problems)}.");
        }

        await using var lease = await services.Leases.TryAcquireAsync(ConnectionProcessor.LeaseKey(name), cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ConnectionOutcome.Busy(name.Value);
        }

        if (await services.Store.GetAsync(name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return new ConnectionOutcome(name.Value, OutcomeKind.Conflict, $"A connection named {name} already exists; delete it first or choose another name.", ConnectionStatus.Healthy, null, []);
        }

        if (await services.Store.IsDeletedAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return Refused(name, $"The name {name} belongs to a deleted connection that purge protection keeps until it is recovered: run `nstoken recover {name}`, or choose another name.");
        }

        var actions = new List<string>();
        document.SchemaVersion = ConnectionDocument.CurrentSchemaVersion;
        document.Generation = 0;
        document.CreatedAt = services.Now;
        switch (document.Kind)
        {
            case ConnectionKind.OAuth2AuthorizationCode:
                document.Status = ConnectionStatus.NeedsPerson;
                if (AccountRestriction.IsAccountPending(document))
                {
                    var allowed = document.OAuth2!.AllowedAccounts is { Count: > 0 } entries ? $" ({AccountRestriction.Describe(entries)})" : "";
                    document.NeedsPersonReason = $"Not consented yet: open the consent link, log in to NetSuite with the integration's user, choose the account{allowed} and role, and choose Allow. The consent decides the account.";
                    actions.Add($"imported the OAuth 2.0 client without an account; the first consent chooses it{(allowed.Length > 0 ? " among" + allowed : "")}");
                }
                else
                {
                    document.NeedsPersonReason = "Not consented yet: open the consent link, log in to NetSuite with the integration's user and role, and choose Allow.";
                    actions.Add("imported the OAuth 2.0 client; a person must consent once");
                }

                break;
            case ConnectionKind.Tba:
                if (!dryRun)
                {
                    var check = await CheckTbaAsync(document, cancellationToken).ConfigureAwait(false);
                    if (check is not null)
                    {
                        return Refused(name, check);
                    }
                }

                actions.Add($"verified token {document.Credentials.Current!.Id} with tokeninfo (role {document.Tba!.ExpectedRoleId}, entity {document.Tba.ExpectedEntityId})");
                break;
            case ConnectionKind.OAuth2ClientCredentials:
                actions.Add("imported the client-credentials connection; the first sweep mints an access token");
                break;
        }

        if (dryRun)
        {
            return new ConnectionOutcome(name.Value, OutcomeKind.DryRun, $"would import {name}: " + string.Join("; ", actions), document.Status, null, actions);
        }

        document.Generation = 1;
        var index = Scheduler.Index(document, services.Rotation);
        lease.EnsureHeld();
        await services.Store.SaveAsync(document, index, cancellationToken).ConfigureAwait(false);
        services.Telemetry.StateWritten(name.Value);
        if (document.Kind == ConnectionKind.Tba)
        {
            var tba = document.Tba!;
            var current = document.Credentials.Current!;
            lease.EnsureHeld();
            await services.Consumers.PublishTbaAsync(name, new TbaProjection(document.Account, tba.ConsumerKey, tba.ConsumerSecret, current.Id, current.Secret!), cancellationToken).ConfigureAwait(false);
            actions.Add("published the TBA set to the consumer vault");
        }

        return new ConnectionOutcome(name.Value, OutcomeKind.Succeeded, string.Join("; ", actions), index.State, index.NextActionAt, actions);
    }

    public Task<ConnectionOutcome> PauseAsync(ConnectionName name, bool dryRun, CancellationToken cancellationToken = default) =>
        SetPausedAsync(name, true, dryRun, cancellationToken);

    public Task<ConnectionOutcome> ResumeAsync(ConnectionName name, bool dryRun, CancellationToken cancellationToken = default) =>
        SetPausedAsync(name, false, dryRun, cancellationToken);

    /// <summary>During grace: the previous credential becomes current again, nothing is revoked.</summary>
    public Task<ConnectionOutcome> RollbackAsync(ConnectionName name, bool dryRun, CancellationToken cancellationToken = default) =>
        processor.WithSessionAsync(name, new RunRequest { DryRun = dryRun, Trigger = "rollback", Now = true }, (ctx, ct) =>
            ctx.Doc.Kind switch
            {
                ConnectionKind.Tba => CredentialRotationMachine.RollbackAsync(ctx, TbaRotationOperations.Instance, ct),
                ConnectionKind.OAuth2ClientCredentials when services.CertificateRotation is { } ops => CredentialRotationMachine.RollbackAsync(ctx, ops, ct),
                _ => Task.FromResult(Refuse(ctx, $"{ctx.Doc.Kind} connections have nothing to roll back.")),
            }, cancellationToken);

    /// <summary>
    /// Revokes what this service holds in NetSuite (tokens, refresh token), then removes the consumer projection
    /// and the state. If a revocation fails nothing is removed, unless <paramref name="force"/>.
    /// </summary>
    public Task<ConnectionOutcome> DeleteAsync(ConnectionName name, bool dryRun, bool force, CancellationToken cancellationToken = default) =>
        processor.WithSessionAsync(name, new RunRequest { DryRun = dryRun, Trigger = "delete", Now = true, Force = force }, async (ctx, ct) =>
        {
            var doc = ctx.Doc;
            var toRevoke = new List<(string What, Func<Task<NetSuiteResult<string>>> Revoke)>();
            if (doc.Kind == ConnectionKind.Tba)
            {
                foreach (var token in new[] { doc.Credentials.Current, doc.Credentials.Pending, doc.Credentials.Previous }.OfType<RotatedCredential>())
                {
                    toRevoke.Add(($"TBA token {token.Id}", () => TbaRotationOperations.Instance.RevokeAsync(ctx, token, ct)));
                }
            }
            else if (doc.Kind == ConnectionKind.OAuth2AuthorizationCode && doc.OAuth2?.RefreshToken is { } refresh)
            {
                toRevoke.Add(("the refresh token", async () =>
                {
                    var oauth = doc.OAuth2!;
                    var client = oauth.IsPublicClient ? OAuth2ClientAuthentication.Public(oauth.ClientId) : OAuth2ClientAuthentication.Confidential(oauth.ClientId, oauth.ClientSecret ?? "");
                    await using (await services.Gate.EnterAsync(doc.Account, ct).ConfigureAwait(false))
                    {
                        var r = await services.Tokens.RevokeAsync(ctx.Account, client, refresh, ct).ConfigureAwait(false);
                        return r.IsSuccess ? NetSuiteResult<string>.Success($"HTTP {r.Value}") : NetSuiteResult<string>.Failure(r.Error!);
                    }
                }));
            }
            else if (doc.Kind == ConnectionKind.OAuth2ClientCredentials && services.CertificateRotation is { } certificates)
            {
                foreach (var cert in new[] { doc.Credentials.Current, doc.Credentials.Pending, doc.Credentials.Previous }.OfType<RotatedCredential>())
                {
                    toRevoke.Add(($"certificate {cert.Id}", () => certificates.RevokeAsync(ctx, cert, ct)));
                }
            }

            if (ctx.Request.DryRun)
            {
                foreach (var (what, _) in toRevoke)
                {
                    ctx.Did($"would revoke {what} in NetSuite");
                }

                ctx.Did($"would delete the consumer secret and the state secret of {ctx.Name} (soft delete: the name stays blocked until recovered)");
                return OutcomeKind.DryRun;
            }

            var failures = new List<string>();
            NetSuiteError? badLogin = null;
            foreach (var (what, revoke) in toRevoke)
            {
                var result = await revoke().ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    ctx.Did($"revoked {what}");
                }
                else
                {
                    failures.Add($"{what}: {result.Error!.Code} {result.Error.Message}");
                    badLogin ??= NLAuthLoginGuard.IsBadCredential(result.Error) ? result.Error : null;
                }
            }

            if (badLogin is not null && !ctx.Request.Force)
            {
                // The refused login is the connection's too: status and doctor show it until the password changes.
                ctx.RecordError(badLogin, "delete", retry: false);
                await ctx.NeedsPersonAsync($"delete: {badLogin.Message}", false, ct).ConfigureAwait(false);
                await ctx.SaveAsync(ct).ConfigureAwait(false);
            }

            if (failures.Count > 0 && !ctx.Request.Force)
            {
                ctx.Did($"not deleted, because revoking failed ({string.Join("; ", failures)}); fix it and try again, or delete with --force and revoke by hand in NetSuite");
                return OutcomeKind.Refused;
            }

            ctx.Session.Lease.EnsureHeld();
            await ctx.DeleteConsumerSecretAsync(ct).ConfigureAwait(false);
            await services.Store.DeleteAsync(ctx.Session.Name, ct).ConfigureAwait(false);
            ctx.Did($"deleted {ctx.Name}; with purge protection its name stays blocked until recovered (`nstoken recover {ctx.Name}`)");
            return OutcomeKind.Succeeded;
        }, cancellationToken);

    /// <summary>Every connection with what an operator needs to see; what needs a person first. Never a secret.</summary>
    public async Task<IReadOnlyList<ConnectionStatusView>> StatusAsync(CancellationToken cancellationToken = default)
    {
        var names = new List<ConnectionName>();
        await foreach (var index in services.Store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(index.Name);
        }

        var views = new ConnectionStatusView?[names.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var doc = await services.Store.GetAsync(names[i], ct).ConfigureAwait(false);
            var index = doc is null ? null : Scheduler.Index(doc, services.Rotation, null, services.Now);
            views[i] = doc is null ? null : ConnectionStatusView.From(doc, index!) with { Events = ConnectionEvents.From(doc, index!, services.Rotation) };
        }).ConfigureAwait(false);

        return views.OfType<ConnectionStatusView>()
            .OrderBy(v => v.State switch { ConnectionStatus.NeedsPerson => 0, ConnectionStatus.Failing => 1, ConnectionStatus.Rotating => 2, ConnectionStatus.Paused => 3, _ => 4 })
            .ThenBy(v => v.Name, StringComparer.Ordinal)
            .ToArray();
    }

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
                return Refuse(ctx, $"{ctx.Name} is not an OAuth 2.0 authorization-code connection.");
            }

            var pending = AccountRestriction.IsAccountPending(doc);
            NetSuiteAccountId account;
            var tokenClient = services.Tokens;
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
                return Refuse(ctx, $"The consent came from NetSuite account {(company is null ? "(not readable)" : company.Realm)}, but {ctx.Name} expects account {doc.Account}; nothing was changed. Log in to account {doc.Account} and consent again.");
            }
            else
            {
                account = ctx.Account;
            }

            var client = oauth.IsPublicClient ? OAuth2ClientAuthentication.Public(oauth.ClientId) : OAuth2ClientAuthentication.Confidential(oauth.ClientId, oauth.ClientSecret ?? "");
            NetSuiteResult<TokenResponse> result;
            await using (await services.Gate.EnterAsync(account.Realm, ct).ConfigureAwait(false))
            {
                result = await tokenClient.ExchangeCodeAsync(account, client, consent.Code, new Uri(oauth.RedirectUri), consent.CodeVerifier, ct).ConfigureAwait(false);
            }

            if (!result.IsSuccess)
            {
                ctx.RecordError(result.Error!, "consent", retry: false);
                await ctx.SaveAsync(ct).ConfigureAwait(false);
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
                var revoked = await RevokeGrantAsync(ctx, client, tokens.RefreshToken ?? tokens.AccessToken, (issuedRefresh ?? issuedAccess)?.TokenId, "issued for a refused consent", ct, account, tokenClient).ConfigureAwait(false);
                if (!revoked)
                {
                    await ctx.SaveAsync(ct).ConfigureAwait(false);
                }

                return Refuse(ctx, refusal + (revoked
                    ? " The tokens NetSuite issued for it were revoked, and nothing was stored."
                    : " The tokens NetSuite issued for it could not be revoked: they are recorded as a possible orphan; revoke them under Setup > Users/Roles > OAuth 2.0 Authorized Applications. Nothing else was stored."));
            }

            var replaced = oauth.RefreshToken is { } previous && previous != tokens.RefreshToken ? previous : null;
            if (tokens.RefreshToken is not { } refreshToken)
            {
                var revokedAccess = await RevokeGrantAsync(ctx, client, tokens.AccessToken, issuedAccess?.TokenId, "issued without a refresh token", ct).ConfigureAwait(false);
                if (!revokedAccess)
                {
                    await ctx.SaveAsync(ct).ConfigureAwait(false);
                }

                return Refuse(ctx, "NetSuite answered the consent without a refresh token, so the service could not keep this connection alive; nothing was stored. Check that the integration record allows the authorization code grant, then consent again.");
            }

            // The code is spent: nothing read from the answer may cost its tokens, so they are read tolerantly.
            foreach (var oddity in tokens.Oddities)
            {
                services.Telemetry.Oddity(ctx.Name, ctx.Kind, "consent", oddity);
            }

            // A consent starts a new chain; only a public client's chain has an end (oit + its maximum rotation time).
            oauth.ChainEndsAt = null;
            OAuth2RefreshMachine.AcceptRefreshToken(ctx, oauth, refreshToken, "consent");
            oauth.ChainEndsAt = oauth.IsPublicClient ? oauth.ChainEndsAt ?? ctx.Now + TimeSpan.FromHours(oauth.MaxRotationHours) : null;

            var accessExpiresAt = OAuth2RefreshMachine.AccessTokenExpiry(ctx, tokens, "consent");
            oauth.ConsentedAt = ctx.Now;
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
            doc.LastSuccessAt = ctx.Now;
            await ctx.SaveAsync(ct).ConfigureAwait(false);
            await ctx.PublishAccessTokenAsync(tokens.AccessToken, accessExpiresAt, ct).ConfigureAwait(false);
            ctx.AccessTokenExpiresAt = accessExpiresAt;
            var until = oauth.RefreshTokenExpiresAt is { } end ? $"the refresh token is valid until {end:u}" : "the refresh token's end could not be read from it";
            ctx.Did(oauth.ExpectedRoleId is null && oauth.ExpectedEntityId is null
                ? $"consent stored; NetSuite's tokens do not name a role and user, so none was pinned; {until}"
                : $"consent stored for role {oauth.ExpectedRoleId} and user {oauth.ExpectedEntityId}; {until}");
            services.Telemetry.Succeeded(ctx.Name, ctx.Kind, "consent", until);

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
                    await ctx.SaveAsync(ct).ConfigureAwait(false);
                }
            }

            return OutcomeKind.Succeeded;
        }, cancellationToken);
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
            return (null, null, Refuse(ctx, $"NetSuite's answer for {ctx.Name} does not name a valid account; nothing was changed. Open the consent link again."));
        }

        if (!AccountRestriction.Allows(oauth.AllowedAccounts, company))
        {
            return (null, null, Refuse(ctx, $"The consent for {ctx.Name} was given in NetSuite account {company.Realm}, but {ctx.Name} may only bind to {AccountRestriction.Describe(oauth.AllowedAccounts!)}. The authorization code was not used, so NetSuite issued no tokens, and nothing was changed. Log in to one of those accounts and consent again, or ask the operator to change the allowed accounts."));
        }

        var domains = await discovery.DiscoverAsync(company, cancellationToken).ConfigureAwait(false);
        if (!domains.IsSuccess)
        {
            ctx.RecordError(domains.Error!, "consent", retry: false);
            await ctx.SaveAsync(cancellationToken).ConfigureAwait(false);
            ctx.Did($"NetSuite's data-center discovery did not answer for account {company.Realm} ({domains.Error!.Code}): {domains.Error.Message} The authorization code was not used and the account was not pinned; open the consent link again.");
            return (null, null, OutcomeKind.Failed);
        }

        ctx.Did($"NetSuite's data-center discovery gave the domains of account {company.Realm}");
        return (company, services.Tokens.WithEndpoints(endpoints.WithDiscoveredDomains(company, domains.Value)), null);
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
        NetSuiteResult<int> revoke;
        await using (await services.Gate.EnterAsync(account.Realm, cancellationToken).ConfigureAwait(false))
        {
            revoke = await (tokenClient ?? services.Tokens).RevokeAsync(account, client, token, cancellationToken).ConfigureAwait(false);
        }

        if (revoke.IsSuccess)
        {
            return true;
        }

        var tokenName = $"OAuth 2.0 refresh token {tokenId ?? "(no jti)"} of account {account.Realm} {why}";
        var reason = $"NetSuite did not confirm its revoke ({revoke.Error!.Code})";
        ctx.Doc.PossibleOrphans.Add(new PossibleOrphan { TokenName = tokenName, RecordedAt = ctx.Now, Reason = reason });
        services.Telemetry.PossibleOrphan(ctx.Name, ctx.Doc.Account, tokenName, reason);
        ctx.Did($"recorded possible orphan {tokenName}: {reason}");
        return false;
    }

    private Task<ConnectionOutcome> SetPausedAsync(ConnectionName name, bool paused, bool dryRun, CancellationToken cancellationToken) =>
        processor.WithSessionAsync(name, new RunRequest { DryRun = dryRun, Trigger = paused ? "pause" : "resume", Now = true }, async (ctx, ct) =>
        {
            if (ctx.Doc.Paused == paused)
            {
                ctx.Did(paused ? "already paused" : "not paused");
                return OutcomeKind.NothingToDo;
            }

            if (ctx.Request.DryRun)
            {
                ctx.Did(paused ? "would pause: timers leave it alone until resumed" : "would resume: timers pick it up again");
                return OutcomeKind.DryRun;
            }

            ctx.Doc.Paused = paused;
            await ctx.SaveAsync(ct).ConfigureAwait(false);
            ctx.Did(paused ? "paused" : "resumed");
            return OutcomeKind.Succeeded;
        }, cancellationToken);

    private async Task<string?> CheckTbaAsync(ConnectionDocument document, CancellationToken cancellationToken)
    {
        var tba = document.Tba!;
        var current = document.Credentials.Current!;
        var account = NetSuiteAccountId.Parse(document.Account);
        NetSuiteResult<TbaTokenInfo> info;
        await using (await services.Gate.EnterAsync(document.Account, cancellationToken).ConfigureAwait(false))
        {
            info = await services.Tba.TokenInfoAsync(new TbaCredentials(account, tba.ConsumerKey, tba.ConsumerSecret, current.Id, current.Secret!), cancellationToken).ConfigureAwait(false);
        }

        if (!info.IsSuccess)
        {
            var causes = info.Error!.LikelyCauses.Count > 0 ? $" Likely causes: {string.Join("; ", info.Error.LikelyCauses)}." : "";
            return $"NetSuite did not accept token {current.Id} ({info.Error.Code}: {info.Error.Message}).{causes}";
        }

        if (info.Value.CompanyId is { } company && (!NetSuiteAccountId.TryParse(company, out var c) || c != account))
        {
            return $"Token {current.Id} belongs to account {company}, not {account}.";
        }

        if (tba.ExpectedRoleId is { } role && info.Value.RoleId is { } r && role != r)
        {
            return $"Token {current.Id} is for role {r}, not the expected role {role}.";
        }

        tba.ExpectedRoleId ??= info.Value.RoleId;
        tba.ExpectedEntityId ??= info.Value.EntityId;
        if (tba.User.RoleId != tba.ExpectedRoleId && tba.ExpectedRoleId is not null)
        {
            return $"The rotation user's role {tba.User.RoleId} differs from the token's role {tba.ExpectedRoleId}: issuetoken issues tokens for the NLAuth role, so they must match.";
        }

        return null;
    }

    private static List<string> Validate(ConnectionDocument doc)
    {
        var problems = new List<string>();
        switch (doc.Kind)
        {
            case ConnectionKind.OAuth2AuthorizationCode:
                if (doc.OAuth2 is not { } o)
                {
                    problems.Add("an OAuth 2.0 connection needs its client (oauth2)");
                    break;
                }

                if (string.IsNullOrWhiteSpace(o.ClientId))
                {
                    problems.Add("the client id is empty");
                }

                if (!o.IsPublicClient && string.IsNullOrEmpty(o.ClientSecret))
                {
                    problems.Add("a confidential client needs its client secret");
                }

                if (!Uri.TryCreate(o.RedirectUri, UriKind.Absolute, out var redirect) || (redirect.Scheme != Uri.UriSchemeHttps && !redirect.IsLoopback))
                {
                    problems.Add("the redirect URI must be an absolute https URL (NetSuite rejects http)");
                }

                if (o.MaxRotationHours is < 1 or > 720)
                {
                    problems.Add("the maximum time for token rotation must be 1 to 720 hours");
                }

                if (o.AllowedAccounts is { Count: > 0 } entries)
                {
                    if (!AccountRestriction.IsAccountPending(doc))
                    {
                        problems.Add($"allowed accounts apply only to a connection imported without an account (this one is for {doc.Account})");
                    }

                    var normalized = new List<string>();
                    foreach (var entry in entries)
                    {
                        if (AccountRestriction.TryNormalize(entry, out var n, out var problem))
                        {
                            normalized.Add(n);
                        }
                        else
                        {
                            problems.Add(problem);
                        }
                    }

                    o.AllowedAccounts = normalized.Distinct(StringComparer.Ordinal).ToList();
                }

                break;
            case ConnectionKind.Tba:
                if (doc.Tba is not { } t)
                {
                    problems.Add("a TBA connection needs its consumer key and secret and the rotation user (tba)");
                    break;
                }

                if (string.IsNullOrWhiteSpace(t.ConsumerKey) || string.IsNullOrEmpty(t.ConsumerSecret))
                {
                    problems.Add("the consumer key and secret are required");
                }

                if (doc.Credentials.Current is not { } cur || string.IsNullOrWhiteSpace(cur.Id) || string.IsNullOrEmpty(cur.Secret))
                {
                    problems.Add("the current token id and secret are required");
                }

                if (string.IsNullOrWhiteSpace(t.User.Email) || string.IsNullOrEmpty(t.User.Password) || string.IsNullOrWhiteSpace(t.User.RoleId))
                {
                    problems.Add("the rotation user's e-mail, password and role are required");
                }

                if (t.User.TotpSecret is { Length: > 0 } totp)
                {
                    try
                    {
                        _ = Totp.DecodeBase32(totp);
                    }
                    catch (FormatException)
                    {
                        problems.Add("the TOTP secret is not valid base32 (use the text shown beside the QR code)");
                    }
                }

                break;
            case ConnectionKind.OAuth2ClientCredentials:
                if (doc.ClientCredentials is not { } cc)
                {
                    problems.Add("a client-credentials connection needs its client and certificate (clientCredentials)");
                    break;
                }

                if (string.IsNullOrWhiteSpace(cc.ClientId) || string.IsNullOrWhiteSpace(cc.RoleId) || string.IsNullOrWhiteSpace(cc.EntityId))
                {
                    problems.Add("the client id, role and entity are required");
                }

                break;
        }

        return problems;
    }

    private static ConnectionOutcome Refused(ConnectionName name, string message) =>
        new(name.Value, OutcomeKind.Refused, message, ConnectionStatus.NeedsPerson, null, [message]);

    private static OutcomeKind Refuse(RunContext ctx, string message)
    {
        ctx.Did(message);
        return OutcomeKind.Refused;
    }
}

/// <summary>What NetSuite sent to the callback, after the callback checked state, cookie, expiry and single use.</summary>
public sealed record ConsentCompletion(string Code, string CodeVerifier, string Company, string Role, string Entity)
{
    public override string ToString() => $"consent for company {Company}, role {Role}, entity {Entity}";
}

/// <summary>A connection as the status shows it. Holds no secret.</summary>
public sealed record ConnectionStatusView(
    string Name,
    ConnectionKind Kind,
    string Account,
    ConnectionStatus State,
    DateTimeOffset? CredentialExpiresAt,
    DateTimeOffset? RefreshExpiresAt,
    DateTimeOffset? LastRotationAt,
    DateTimeOffset? LastSuccessAt,
    string? LastErrorClass,
    string? LastErrorMessage,
    string? NeedsPersonReason,
    DateTimeOffset? NextActionAt,
    string? RotationStep,
    IReadOnlyList<string> PossibleOrphans)
{
    /// <summary>The code of the last error (<c>INVALID_LOGIN_CREDENTIALS</c>, <c>WAITING_FOR_APPROVAL</c>...), which says what a person must fix.</summary>
    public string? LastErrorCode { get; init; }

    /// <summary>The connection's dated events (refresh token or chain end, certificate expiry, rotation, grace end).</summary>
    public IReadOnlyList<ConnectionEvent> Events { get; init; } = [];

    public static ConnectionStatusView From(ConnectionDocument doc, ConnectionIndex index)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(index);
        return new ConnectionStatusView(
            doc.Name, doc.Kind, doc.Account, index.State,
            doc.StoredIndex?.CredentialExpiresAt ?? index.CredentialExpiresAt ?? doc.Credentials.Current?.ExpiresAt,
            index.RefreshExpiresAt,
            doc.LastRotationAt, doc.LastSuccessAt,
            doc.LastError?.Class, doc.LastError?.Message,
            doc.NeedsPersonReason ?? (index.State == ConnectionStatus.NeedsPerson && doc.OAuth2 is { } oauth ? Scheduler.ConsentWarning(oauth) : null),
            index.NextActionAt ?? index.RotateAt,
            doc.Rotation?.Step.ToString(),
            doc.PossibleOrphans.Select(o => $"{o.TokenName} ({o.Reason})").ToArray()) { LastErrorCode = doc.LastError?.Code };
    }
}
