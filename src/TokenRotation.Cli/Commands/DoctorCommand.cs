using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using TokenRotation.Cli.Output;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Kinds.Tba;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Commands;

/// <summary>
/// <c>nstoken doctor NAME</c>: checks a connection end to end and explains what it finds. NetSuite exposes no
/// integration-record state, so what depends on it is inferred from the calls, and said to be inferred.
/// </summary>
internal static class DoctorCommand
{
    /// <summary>NetSuite's OAuth 1.0a timestamp window (NetSuite topic 4.1).</summary>
    private static readonly TimeSpan TimestampWindow = TimeSpan.FromMinutes(5);

    public static Command Create(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var command = new Command("doctor", """
            Check a connection end to end and explain what it finds: the account id and realm form, the data-center host,
            clock skew, what tokeninfo (or the access token) says about role and entity, the last error's class with its
            likely causes and the Login Audit Trail detail to look for, how long until a person is needed, and for TBA how
            long TBA has left and what moving to client credentials takes. Exit code 3 when a person is needed, 1 when a
            check failed.
            """)
        {
            name,
        };
        command.SetAction((parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection))
            {
                return Task.FromResult(ExitCodes.BadInput);
            }

            return CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                // The checks write text; JSON is the same text cut into its sections.
                var output = CliOutput.For(console, parse, global);
                using var text = new StringWriter();
                var exit = await RunAsync(console.With(output: text), services, connection, token).ConfigureAwait(false);
                if (output.Json)
                {
                    var doc = await services.GetRequiredService<IConnectionStore>().GetAsync(connection, token).ConfigureAwait(false);
                    var rotation = services.GetRequiredService<IOptions<RotationOptions>>().Value;
                    await output.WriteJsonAsync(ToJson(connection.Value, text.ToString(), exit) with { Credential = doc is null ? null : CredentialJson(doc, rotation) }).ConfigureAwait(false);
                }
                else
                {
                    await console.Out.WriteAsync(output.Hints(text.ToString())).ConfigureAwait(false);
                }

                return exit;
            }, ct, waitingFor: $"NetSuite (checking {connection})");
        });
        return command;
    }

    public static async Task<int> RunAsync(CliConsole console, IServiceProvider services, ConnectionName name, CancellationToken cancellationToken)
    {
        var output = console.Out;
        var store = services.GetRequiredService<IConnectionStore>();
        var doc = await store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (doc is null)
        {
            await console.Error.WriteLineAsync($"No connection named {name}.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var time = services.GetRequiredService<TimeProvider>();
        var rotation = services.GetRequiredService<IOptions<RotationOptions>>().Value;
        var endpoints = services.GetRequiredService<NetSuiteEndpoints>();
        var now = time.GetUtcNow();
        var index = Scheduler.Index(doc, rotation);
        var problems = 0;
        var needsPerson = index.State == ConnectionStatus.NeedsPerson;
        if (AccountRestriction.IsAccountPending(doc))
        {
            await output.WriteLineAsync($"Doctor for {doc.Name} ({CommandSupport.KindName(doc.Kind)}), state {index.State}: imported without an account, so there is nothing to check in NetSuite yet. Its first consent (`nstoken consent-link {doc.Name}`) chooses the account{(doc.OAuth2?.AllowedAccounts is { Count: > 0 } allowed ? " among " + AccountRestriction.Describe(allowed) : "")}.").ConfigureAwait(false);
            return ExitCodes.NeedsPerson;
        }

        var account = NetSuiteAccountId.Parse(doc.Account);

        await output.WriteLineAsync($"Doctor for {doc.Name} ({CommandSupport.KindName(doc.Kind)}), state {index.State}{(doc.Paused ? " (paused)" : "")}").ConfigureAwait(false);
        await WriteCheckAsync(output, doc, rotation, time).ConfigureAwait(false);
        if (RotationProof.IsUnproven(doc))
        {
            await output.WriteLineAsync($"  {RotationProof.UnprovenText}: {RotationProof.Advice(doc.Name)}").ConfigureAwait(false);
        }

        // 1. Account id forms.
        await Section(output, "Account").ConfigureAwait(false);
        await output.WriteLineAsync($"  realm form (OAuth 1.0a realm, NLAuth account, tokeninfo companyId): {account.Realm}").ConfigureAwait(false);
        await output.WriteLineAsync($"  host form (lowercase, '-'): {account.HostLabel}{(account.IsSandbox ? "  (a sandbox: a sandbox refresh wipes its tokens and certificate mappings)" : "")}").ConfigureAwait(false);

        // 2. Data-center hosts: configured templates and NetSuite's own answer.
        await Section(output, "Data-center hosts").ConfigureAwait(false);
        await output.WriteLineAsync($"  configured: SuiteTalk {endpoints.SuiteTalk(account)}  RESTlets {endpoints.Restlets(account)}  UI {endpoints.App(account)}").ConfigureAwait(false);
        var discovery = await services.GetRequiredService<NetSuiteDataCenterClient>().DiscoverAsync(account, cancellationToken).ConfigureAwait(false);
        if (discovery.IsSuccess)
        {
            var d = discovery.Value;
            var same = SameHost(d.WebServicesDomain, endpoints.SuiteTalk(account)) && SameHost(d.RestDomain, endpoints.Restlets(account));
            await output.WriteLineAsync($"  datacenterurls: webservices {d.WebServicesDomain}  rest {d.RestDomain}  system {d.SystemDomain}").ConfigureAwait(false);
            await output.WriteLineAsync(same
                ? "  ok: the configured hosts are the ones NetSuite names for this account."
                : "  warning: NetSuite names other hosts than the configured ones; calls to the wrong data center fail with 'Invalid login attempt'. Check the NetSuite URL templates.").ConfigureAwait(false);
        }
        else
        {
            problems++;
            await output.WriteLineAsync($"  datacenterurls failed ({discovery.Error!.Code}): {discovery.Error.Message}").ConfigureAwait(false);
        }

        // 3. Clock skew from NetSuite's Date header.
        await Section(output, "Clock").ConfigureAwait(false);
        var skew = await MeasureSkewAsync(services, endpoints.TokenInfo(account), time, cancellationToken).ConfigureAwait(false);
        if (skew is { } s)
        {
            var abs = s.Duration();
            await output.WriteLineAsync($"  this machine is {(s >= TimeSpan.Zero ? "behind" : "ahead of")} NetSuite's Date header by {abs.TotalSeconds:0} s (the header has 1-second resolution).").ConfigureAwait(false);
            if (abs > TimestampWindow)
            {
                problems++;
                await output.WriteLineAsync("  PROBLEM: over 5 minutes: OAuth 1.0a signatures fail (Login Audit Trail: InvalidTimestamp), JWT assertions and TOTP codes too. Fix the clock (NTP).").ConfigureAwait(false);
            }
            else if (abs > TimeSpan.FromSeconds(30))
            {
                await output.WriteLineAsync("  warning: over 30 s: TOTP codes for issuetoken may be refused (one 30-second step of tolerance). Fix the clock (NTP).").ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync("  ok: well inside NetSuite's 5-minute window for signed requests.").ConfigureAwait(false);
            }
        }
        else
        {
            problems++;
            await output.WriteLineAsync("  could not read a Date header from NetSuite (no answer).").ConfigureAwait(false);
        }

        // 4. Identity: tokeninfo (TBA) or the access token's claims (OAuth 2.0).
        await Section(output, "Identity (role and entity)").ConfigureAwait(false);
        var identityOk = await CheckIdentityAsync(output, services, doc, account, time, cancellationToken).ConfigureAwait(false);
        if (identityOk is false)
        {
            problems++;
        }

        // 5. The last error, explained.
        await Section(output, "Last error").ConfigureAwait(false);
        if (doc.LastError is { } error)
        {
            await output.WriteLineAsync($"  {error.At:u}: class {error.Class}, code {error.Code}, attempt {error.Attempts}{(error.RetryAt is { } r ? $", retried at {r:u}" : ", not retried: a person must act")}").ConfigureAwait(false);
            await output.WriteLineAsync($"  {error.Message}").ConfigureAwait(false);
            await output.WriteLineAsync($"  what the class means: {ExplainClass(error.Class)}").ConfigureAwait(false);
            if (!error.Message.Contains("Login Audit Trail", StringComparison.Ordinal) && error.Class is "Ambiguous" or "NeedsPerson")
            {
                await output.WriteLineAsync($"  where to look: {NetSuiteErrorParser.LoginAuditTrailHint}").ConfigureAwait(false);
            }
        }
        else
        {
            await output.WriteLineAsync("  none recorded.").ConfigureAwait(false);
        }

        if (doc.PossibleOrphans.Count > 0)
        {
            await output.WriteLineAsync("  possible orphans (NetSuite may have issued these without our seeing them; revoke them in NetSuite under Access Tokens):").ConfigureAwait(false);
            foreach (var orphan in doc.PossibleOrphans)
            {
                await output.WriteLineAsync($"    {PossibleOrphan.IdOf(orphan)} {orphan.TokenName}: {orphan.Reason} ({orphan.RecordedAt:u}); once revoked: nstoken orphans ack {doc.Name} {PossibleOrphan.IdOf(orphan)}").ConfigureAwait(false);
            }
        }

        // 6. When a person is needed.
        await Section(output, "When a person is needed").ConfigureAwait(false);
        foreach (var line in PersonNeeded(doc, rotation, now, index))
        {
            await output.WriteLineAsync($"  {line}").ConfigureAwait(false);
        }

        // 7. TBA: how long TBA has left, and the way to client credentials.
        if (doc.Kind == ConnectionKind.Tba)
        {
            await Section(output, "TBA's remaining life").ConfigureAwait(false);
            foreach (var line in TbaFuture(doc, now))
            {
                await output.WriteLineAsync($"  {line}").ConfigureAwait(false);
            }
        }

        // 8. What is inferred.
        await Section(output, "Inferred (NetSuite exposes no integration-record state)").ConfigureAwait(false);
        await output.WriteLineAsync($"  integration record: {InferRecordState(doc, identityOk)}").ConfigureAwait(false);
        await output.WriteLineAsync("  'Invalid login attempt' looks the same for overload and for a bad credential; only the Login Audit Trail tells them apart.").ConfigureAwait(false);

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync(needsPerson
            ? $"Verdict: needs a person. {doc.NeedsPersonReason ?? (doc.OAuth2 is { } warned ? AuthorizationCodeKind.ConsentWarning(warned) : doc.LastError?.Message)}"
            : problems > 0 ? $"Verdict: {problems} check(s) failed; see above." : "Verdict: healthy; nothing to do.").ConfigureAwait(false);
        return needsPerson ? ExitCodes.NeedsPerson : problems > 0 ? ExitCodes.Failure : ExitCodes.Ok;
    }

    /// <summary>The doctor's text as JSON: the first line, then each titled section with its lines, then the verdict.</summary>
    public static DoctorJson ToJson(string connection, string text, int exit)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var summary = lines.FirstOrDefault() ?? "";
        var sections = new List<DoctorSectionJson>();
        string? verdict = null;
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("Verdict: ", StringComparison.Ordinal))
            {
                verdict = line["Verdict: ".Length..];
            }
            else if (!line.StartsWith(' '))
            {
                sections.Add(new DoctorSectionJson(line, new List<string>()));
            }
            else if (sections.Count > 0)
            {
                ((List<string>)sections[^1].Lines).Add(line.Trim());
            }
        }

        return new DoctorJson(connection, summary, sections.Select(s => s with { Lines = s.Lines.ToArray() }).ToList(), verdict, exit);
    }

    /// <summary>
    /// When the credential last worked and what proved it, from the connection's index row (architecture section 13); a
    /// connection with no check recorded yet falls back to the document's last success or rotation.
    /// </summary>
    private static async Task WriteCheckAsync(TextWriter output, ConnectionDocument doc, RotationOptions rotation, TimeProvider time)
    {
        var check = doc.StoredIndex?.Check;
        if (check?.WorkedAt is { } workedAt)
        {
            await output.WriteLineAsync($"  credential last worked: {CommandSupport.When(workedAt, time)}, proved by {Proof(check.WorkedBy)}").ConfigureAwait(false);
        }
        else
        {
            var lastWorked = doc.LastSuccessAt is { } success && (doc.LastRotationAt is null || success > doc.LastRotationAt) ? success : doc.LastRotationAt ?? doc.LastSuccessAt;
            await output.WriteLineAsync($"  credential last worked: {(lastWorked is { } worked ? CommandSupport.When(worked, time) + " (last recorded refresh, mint, consent or rotation; no check recorded yet)" : "never recorded")}").ConfigureAwait(false);
        }

        if (check?.CheckedAt is { } checkedAt && checkedAt != check.WorkedAt)
        {
            await output.WriteLineAsync($"  last checked: {CommandSupport.When(checkedAt, time)}, and the check did not show it working (see the last error)").ConfigureAwait(false);
        }

        if (NextCheck(doc, rotation) is { } next)
        {
            await output.WriteLineAsync($"  next scheduled check: {CommandSupport.When(next, time)} (a tokeninfo call, run by the daily sweep; Rotation:CredentialCheckInterval is {rotation.CredentialCheckInterval.ToString("c", CultureInfo.InvariantCulture)})").ConfigureAwait(false);
        }
    }

    /// <summary>The doctor JSON's <c>credential</c> object: the same facts as the text.</summary>
    internal static DoctorCredentialJson CredentialJson(ConnectionDocument doc, RotationOptions rotation)
    {
        var check = doc.StoredIndex?.Check;
        return new DoctorCredentialJson(check?.WorkedAt, check?.WorkedBy, check?.CheckedAt, NextCheck(doc, rotation));
    }

    /// <summary>
    /// The index's scheduled check: a TBA token outside a rotation, when no person is needed already; the other kinds'
    /// refreshes and mints are their checks.
    /// </summary>
    private static DateTimeOffset? NextCheck(ConnectionDocument doc, RotationOptions rotation) => Scheduler.Index(doc, rotation).CheckAt;

    private static string Proof(string? workedBy) => workedBy switch
    {
        "tokeninfo" => "a signed tokeninfo call (the scheduled check)",
        "tokeninfo at import" => "a signed tokeninfo call at import",
        "refresh" => "an access-token refresh",
        "mint" => "a client-credentials mint",
        "rotation" => "a rotation's verification of the new credential",
        "consent" => "a consent's code exchange",
        null or "" => "a run",
        _ => workedBy,
    };

    private static Task Section(TextWriter output, string title) => output.WriteLineAsync($"{Environment.NewLine}{title}");

    private static bool SameHost(Uri a, Uri b) => string.Equals(a.Authority, b.Authority, StringComparison.OrdinalIgnoreCase);

    /// <summary>NetSuite's Date header against this machine's clock, halfway through the request.</summary>
    private static async Task<TimeSpan?> MeasureSkewAsync(IServiceProvider services, Uri url, TimeProvider time, CancellationToken cancellationToken)
    {
        var factory = services.GetRequiredService<IHttpClientFactory>();
        using var http = factory.CreateClient("nstoken-doctor");
        http.Timeout = TimeSpan.FromSeconds(20);
        try
        {
            var before = time.GetUtcNow();
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            var local = before + (watch.Elapsed / 2);
            return response.Headers.Date is { } date ? date - local : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <returns>True when the identity matches, false when it does not or the check failed, null when nothing could be checked.</returns>
    private static async Task<bool?> CheckIdentityAsync(TextWriter output, IServiceProvider services, ConnectionDocument doc, NetSuiteAccountId account, TimeProvider time, CancellationToken cancellationToken)
    {
        switch (doc.Kind)
        {
            case ConnectionKind.Tba when doc.Tba is { } tba && doc.Credentials.Current is { Secret: not null } current:
            {
                TbaIdentity identity;
                await using (await services.GetRequiredService<IAccountGate>().EnterAsync(doc.Account, cancellationToken).ConfigureAwait(false))
                {
                    identity = await services.GetRequiredService<TbaIdentityCheck>().CheckAsync(account, tba, current, tba.ExpectedRoleId, tba.ExpectedEntityId, cancellationToken).ConfigureAwait(false);
                }

                if (identity.Error is { } e)
                {
                    await output.WriteLineAsync($"  tokeninfo refused the current token {current.Id} ({e.Class}, {e.Code}): {e.Message}").ConfigureAwait(false);
                    foreach (var cause in e.LikelyCauses)
                    {
                        await output.WriteLineAsync($"    likely: {cause}").ConfigureAwait(false);
                    }

                    if (e.AuditTrailHint is { } hint)
                    {
                        await output.WriteLineAsync($"    {hint}").ConfigureAwait(false);
                    }

                    return false;
                }

                var v = identity.Info!;
                await output.WriteLineAsync($"  tokeninfo: company {v.CompanyId} ({v.CompanyName}), role {v.RoleId} ({v.RoleName}), entity {v.EntityId}").ConfigureAwait(false);
                var ok = identity.Matches;
                await output.WriteLineAsync(ok
                    ? $"  ok: the expected account, role {tba.ExpectedRoleId} and entity {tba.ExpectedEntityId}; the rotation user {tba.User.Email} has role {tba.User.RoleId}."
                    : $"  PROBLEM: expected account {account.Realm}, role {tba.ExpectedRoleId}, entity {tba.ExpectedEntityId}.").ConfigureAwait(false);
                return ok;
            }

            case ConnectionKind.OAuth2AuthorizationCode or ConnectionKind.OAuth2ClientCredentials:
            {
                var projection = await services.GetRequiredService<IConsumerPublisher>().GetAsync(ConnectionName.Parse(doc.Name), cancellationToken).ConfigureAwait(false);
                if (projection is null || !NetSuiteTokenFacts.TryRead(projection.Value, out var facts))
                {
                    await output.WriteLineAsync("  no access token is published yet, so there is nothing to read (NetSuite has no tokeninfo for OAuth 2.0).").ConfigureAwait(false);
                    return null;
                }

                var (role, entity) = doc.Kind == ConnectionKind.OAuth2AuthorizationCode
                    ? (doc.OAuth2?.ExpectedRoleId, doc.OAuth2?.ExpectedEntityId)
                    : (doc.ClientCredentials?.RoleId, doc.ClientCredentials?.EntityId);
                var now = time.GetUtcNow();
                await output.WriteLineAsync($"  from the published access token's claims (OAuth 2.0 has no tokeninfo): company {facts.Company}, role {facts.RoleId}, entity {facts.EntityId}, scopes {string.Join(' ', facts.Scopes)}, {(facts.ExpiresAt > now ? "valid for " + CommandSupport.Relative(facts.ExpiresAt - now)[3..] : "EXPIRED " + CommandSupport.Relative(facts.ExpiresAt - now))}").ConfigureAwait(false);
                var ok = (facts.Company is null || (NetSuiteAccountId.TryParse(facts.Company, out var c) && c == account))
                    && (role is null || role == facts.RoleId) && (entity is null || entity == facts.EntityId);
                await output.WriteLineAsync(ok ? $"  ok: role {role} and entity {entity} as expected." : $"  PROBLEM: expected role {role} and entity {entity} in account {account.Realm}.").ConfigureAwait(false);
                return ok;
            }

            default:
                await output.WriteLineAsync("  no current credential to check.").ConfigureAwait(false);
                return null;
        }
    }

    private static string ExplainClass(string errorClass) => errorClass switch
    {
        "Transient" => "overload or an outage (concurrency limit, 5xx, network); the service retries with backoff, nothing to do unless it lasts.",
        "Ambiguous" => "'Invalid login attempt': NetSuite answers the same for overload and for a bad credential. The service retries a few times; the Login Audit Trail says which it is.",
        "NeedsPerson" => "only a person can fix it (consent, approval, permissions, a locked user, 2FA); the service does not retry it.",
        "Unexpected" => "an answer this tool does not expect: most likely a bug on our side; report it with the code above.",
        _ => "unknown class.",
    };

    private static IEnumerable<string> PersonNeeded(ConnectionDocument doc, RotationOptions rotation, DateTimeOffset now, ConnectionIndex index)
    {
        if (index.State == ConnectionStatus.NeedsPerson)
        {
            yield return $"now: {doc.NeedsPersonReason ?? (doc.OAuth2 is { } warned ? AuthorizationCodeKind.ConsentWarning(warned) : null) ?? doc.LastError?.Message ?? "see the last error"}";
        }

        switch (doc.Kind)
        {
            case ConnectionKind.OAuth2AuthorizationCode when doc.OAuth2 is { } oauth:
                if (AuthorizationCodeKind.RefreshEnds(oauth) is { } end)
                {
                    var what = oauth.ChainEndsAt is { } chain && chain <= end ? "the public client's token chain ends (oit + Maximum Time For Token Rotation)" : "the refresh token expires (its exp; refreshing does not extend it)";
                    yield return end > now
                        ? $"{what} at {end:u}, {CommandSupport.Relative(end - now)}; the warning starts at {AuthorizationCodeKind.WarningStarts(doc, rotation):u}. Before then a person must consent again (nstoken consent-link {doc.Name})."
                        : $"{what} at {end:u} ({CommandSupport.Relative(end - now)}): a person must consent again (nstoken consent-link {doc.Name}).";
                }
                else
                {
                    yield return $"not consented yet: a person must consent once (nstoken consent-link {doc.Name}).";
                }

                break;
            case ConnectionKind.OAuth2ClientCredentials:
                if (doc.Credentials.Current?.ExpiresAt is { } expires)
                {
                    var renew = doc.Policy.CertificateRenewBefore ?? rotation.CertificateRenewBefore;
                    yield return $"certificate {doc.Credentials.Current.Id} expires at {expires:u} ({CommandSupport.Relative(expires - now)}); it is rotated automatically from {expires - renew:u} when certificate rotation is configured, otherwise a person uploads a new one before then.";
                }
                else
                {
                    yield return "the certificate's expiry is not recorded: make sure a person renews it before it expires (at most 2 years).";
                }

                yield return "also: a sandbox refresh clears certificate mappings; the certificate must then be uploaded again.";
                break;
            case ConnectionKind.Tba:
                yield return "TBA tokens do not expire: a person is needed only when issuetoken stops working (password expired or changed, 2FA reset, role changed, integration blocked) or when TBA itself ends (below).";
                if (doc.Rotation is { } progress)
                {
                    yield return progress.Step == RotationStep.Promoted && doc.Credentials.Previous?.RetireAfter is { } retire
                        ? $"rotation {progress.RotationId} is promoted; the previous token {doc.Credentials.Previous.Id} is revoked after {retire:u} (the grace period)."
                        : $"rotation {progress.RotationId} is at step {progress.Step}; the next sweep moves it on.";
                }
                else if (doc.Credentials.Current is { } current)
                {
                    yield return $"the next scheduled rotation is at {Scheduler.RotateAt(doc, rotation):u} (token {current.Id}, issued {current.IssuedAt:u}).";
                }

                break;
        }
    }

    private static IEnumerable<string> TbaFuture(ConnectionDocument doc, DateTimeOffset now)
    {
        // Release dates are inferred (NetSuiteReleases, which the status page uses too): .1 releases start rolling out in February.
        var noNewTba = NetSuiteReleases.NoNewTba;
        var tbaEnds = NetSuiteReleases.TbaEnds;
        yield return $"NetSuite {noNewTba.Release} (roughly {Month(noNewTba.At)}, {CommandSupport.Relative(noNewTba.At - now)}): no new TBA integrations, neither issuetoken nor the three-step flow; existing ones keep working (Oracle's 2026.2 release notes).";
        yield return $"NetSuite {tbaEnds.Release} (roughly {Month(tbaEnds.At)}, {CommandSupport.Relative(tbaEnds.At - now)}): TBA support ends; TENTATIVE, Oracle says 'tentatively planned', and one secondary source says 2028.2. The dates are inferred from the release names.";
        var role = doc.Tba?.ExpectedRoleId ?? doc.Tba?.User.RoleId;
        var entity = doc.Tba?.ExpectedEntityId;
        yield return "moving to client credentials (M2M) takes:";
        yield return "  1. on the integration record, tick the Client Credentials (M2M) grant and the scopes the consumers use (rest_webservices, restlets);";
        yield return $"  2. nstoken import client-credentials {doc.Name}-m2m --account {doc.Account} --client-id <the record's client id> --role {role} --entity {entity} --new-key  (makes the key in the state vault and writes the certificate to a file it names);";
        yield return $"  3. a person uploads that certificate in Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup, for entity {entity} and role {role}; the role needs 'Log in using OAuth 2.0 Access Tokens';";
        yield return "  4. run the import again with --certificate-id and --key-version; the service then mints access tokens on schedule and rotates the certificate before it expires;";
        yield return $"  5. move each consumer from the TBA set (consumer secret netsuite-{doc.Name}) to the access token (netsuite-{doc.Name}-m2m, a Bearer header instead of an OAuth 1.0a signature);";
        yield return $"  6. when no consumer uses TBA any more: nstoken delete {doc.Name} (revokes the TBA token in NetSuite).";
    }

    private static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("MMMM yyyy", CultureInfo.InvariantCulture);

    private static string InferRecordState(ConnectionDocument doc, bool? identityOk)
    {
        if (identityOk is true)
        {
            return "enabled and usable (inferred: a call with its credentials succeeded just now).";
        }

        if (doc.LastError is { } error)
        {
            if (error.Code.Contains("refused", StringComparison.OrdinalIgnoreCase) || error.Code.Contains("Blocked", StringComparison.OrdinalIgnoreCase) || error.Code is "invalid_client" or "unauthorized_client")
            {
                return $"possibly Blocked or Waiting for Approval (inferred from {error.Code}); check Setup > Integration > Manage Integrations.";
            }

            if (error.Class == "Ambiguous")
            {
                return "unknown: 'Invalid login attempt' can mean Blocked, Waiting for Approval, a bad credential or overload (inferred); the Login Audit Trail tells which.";
            }
        }

        return doc.LastSuccessAt is { } success
            ? $"was usable at {success:u}, the last success (inferred)."
            : "unknown: no successful call recorded yet.";
    }
}
