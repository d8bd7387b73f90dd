using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;

namespace TokenRotation.Kinds.AuthorizationCode;

/// <summary>
/// OAuth 2.0 authorization-code connections: imported waiting for a person's consent (<see cref="ConsentCodeExchange"/>),
/// then refreshed by <see cref="OAuth2RefreshMachine"/>; a delete revokes the refresh token.
/// </summary>
public sealed class AuthorizationCodeHandler(OAuth2RefreshMachine refresh, IAccountGate gate, NetSuiteTokenClient tokens) : ICredentialKindHandler
{
    public ConnectionKind Kind => ConnectionKind.OAuth2AuthorizationCode;

    public void ValidateImport(ConnectionDocument document, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(problems);
        if (document.OAuth2 is not { } o)
        {
            problems.Add("an OAuth 2.0 connection needs its client (oauth2)");
            return;
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
            if (!AccountRestriction.IsAccountPending(document))
            {
                problems.Add($"allowed accounts apply only to a connection imported without an account (this one is for {document.Account})");
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
    }

    public Task<string?> PrepareImportAsync(ConnectionDocument document, bool dryRun, ICollection<string> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(actions);
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

        return Task.FromResult<string?>(null);
    }

    public Task CompleteImportAsync(ConnectionDocument document, ILease lease, ICollection<string> actions, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<OutcomeKind> RunDueAsync(RunContext ctx, CancellationToken cancellationToken) => refresh.RunAsync(ctx, cancellationToken);

    /// <summary>OAuth 2.0 has no tokeninfo: a refresh is the check.</summary>
    public Task<OutcomeKind> VerifyAsync(RunContext ctx, CancellationToken cancellationToken) => refresh.RunAsync(ctx, cancellationToken);

    public Task<OutcomeKind> RollbackAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return Task.FromResult(ConnectionRefusals.Refuse(ctx, $"{ctx.Doc.Kind} connections have nothing to roll back."));
    }

    public IReadOnlyList<Revocation> Revocations(RunContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var doc = ctx.Doc;
        if (doc.OAuth2?.RefreshToken is not { } refreshToken)
        {
            return [];
        }

        return
        [
            new Revocation("the refresh token", async ct =>
            {
                var oauth = doc.OAuth2!;
                var client = oauth.IsPublicClient ? OAuth2ClientAuthentication.Public(oauth.ClientId) : OAuth2ClientAuthentication.Confidential(oauth.ClientId, oauth.ClientSecret ?? "");
                await using (await gate.EnterAsync(doc.Account, ct).ConfigureAwait(false))
                {
                    var r = await tokens.RevokeAsync(ctx.Account, client, refreshToken, ct).ConfigureAwait(false);
                    return r.IsSuccess ? NetSuiteResult<string>.Success($"HTTP {r.Value}") : NetSuiteResult<string>.Failure(r.Error!);
                }
            }),
        ];
    }
}
