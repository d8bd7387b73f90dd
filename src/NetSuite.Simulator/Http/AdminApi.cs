using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace NetSuite.Simulator.Http;

/// <summary>
/// JSON admin API under <c>/_admin/</c>: seed and inspect the state, switch modes, inject faults. Loopback
/// only and unauthenticated: a test tool. It answers with seeded secrets only where it created them.
/// </summary>
internal sealed class AdminApi(SimulatorApp app)
{
    private SimulatorState State => app.State;

    private static readonly string[] Routes =
    [
        "GET    /_admin/                                   this list",
        "GET    /_admin/accounts                           accounts with concurrency figures",
        "POST   /_admin/accounts                           {accountId, concurrencyLimit?, isSandbox?, requireApprovalOnAutoInstall?, companyName?}",
        "GET    /_admin/accounts/{id}                      integrations (no secrets), users (no passwords), roles, concurrency",
        "PATCH  /_admin/accounts/{id}                      {concurrencyLimit?, requireApprovalOnAutoInstall?}",
        "POST   /_admin/accounts/{id}/sandbox-refresh      wipe tokens and client-credentials mappings",
        "POST   /_admin/accounts/{id}/roles                {roleId, name, twoFactorRequired?, permissions?: [\"LogInUsingAccessTokens\", ...]}",
        "POST   /_admin/accounts/{id}/users                {email, password, totpSecret?, roleIds?, passwordExpiresAt?}",
        "PATCH  /_admin/accounts/{id}/users/{email}        {password?, totpSecret?, active?, passwordExpiresAt?, addRole?, removeRole?}",
        "POST   /_admin/accounts/{id}/users/{email}/unlock",
        "POST   /_admin/accounts/{id}/consent-user         {email, roleId}",
        "POST   /_admin/accounts/{id}/integrations         IntegrationSpec fields -> clientId/clientSecret (= consumer key/secret)",
        "PATCH  /_admin/accounts/{id}/integrations/{cid}   {state?, scopes?, redirectUris?, authorizationCodeGrant?, clientCredentials?, tokenBasedAuthentication?, tbaIssueTokenEndpoint?}",
        "POST   /_admin/accounts/{id}/tba-tokens           {consumerKey, email, roleId?, name?} -> tokenId/tokenSecret",
        "DELETE /_admin/accounts/{id}/tba-tokens/{tokenId} revoke",
        "POST   /_admin/accounts/{id}/oauth2-grants        {clientId, email, roleId?, scopes?} -> accessToken/refreshToken",
        "DELETE /_admin/accounts/{id}/oauth2-grants/{chainId} revoke the chain",
        "GET    /_admin/accounts/{id}/certificates",
        "POST   /_admin/accounts/{id}/certificates         {clientId, email, roleId, certificatePem} or {clientId, email, roleId, generate: \"ES256\"} -> certificateId (+privateKeyPem when generated)",
        "GET    /_admin/tokens?account=&kind=&status=&orphaned=true",
        "GET    /_admin/audit?account=&success=&take=",
        "GET    /_admin/concurrency",
        "GET    /_admin/alarms                             spent single-use tokens presented again, TOTP codes used twice, lockouts",
        "POST   /_admin/concurrency/reset",
        "GET    /_admin/modes      PUT /_admin/modes (partial JSON)",
        "GET    /_admin/faults     POST /_admin/faults {endpoint, account?, latencyMs?, action?, timing?, statusCode?, retryAfterSeconds?, times?, probability?}",
        "DELETE /_admin/faults     DELETE /_admin/faults/{id}",
        "POST   /_admin/seed/bulk  BulkSeedSpec -> every seeded connection with its credentials",
        "GET    /_admin/sample     the sample account's credentials (when seeded)",
        "GET    /_admin/clock      POST /_admin/clock/advance {seconds}",
    ];

    public async Task HandleAsync(HttpContext context)
    {
        SimResult result;
        try
        {
            result = await DispatchAsync(context);
        }
        catch (KeyNotFoundException e)
        {
            result = SimResult.Json(404, new { error = e.Message });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException or FormatException or CryptographicException)
        {
            result = SimResult.Json(400, new { error = e.Message });
        }

        await SimulatorApp.WriteAsync(context, result);
    }

    private async Task<SimResult> DispatchAsync(HttpContext context)
    {
        var method = context.Request.Method;
        var segments = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Uri.UnescapeDataString).ToArray();
        var query = context.Request.Query;

        switch (segments)
        {
            case []:
                return SimResult.Json(200, new { routes = Routes, usage = app.UsageText() });

            case ["accounts"] when HttpMethods.IsGet(method):
                return SimResult.Json(200, State.Accounts.Select(AccountSummary));

            case ["accounts"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                var account = State.AddAccount(
                    Str(body, "accountId") ?? throw new ArgumentException("accountId is required."),
                    Int(body, "concurrencyLimit") ?? 5,
                    Bool(body, "isSandbox"),
                    Bool(body, "requireApprovalOnAutoInstall") ?? false,
                    Str(body, "companyName"));
                return SimResult.Json(201, AccountSummary(account));
            }

            case ["accounts", var id] when HttpMethods.IsGet(method):
                return SimResult.Json(200, AccountDetail(State.GetAccount(id)));

            case ["accounts", var id] when HttpMethods.IsPatch(method):
            {
                var account = State.GetAccount(id);
                var body = await ReadAsync(context);
                if (Int(body, "concurrencyLimit") is { } limit)
                {
                    ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
                    account.ConcurrencyLimit = limit;
                }

                if (Bool(body, "requireApprovalOnAutoInstall") is { } require)
                {
                    account.RequireApprovalOnAutoInstall = require;
                }

                return SimResult.Json(200, AccountSummary(account));
            }

            case ["accounts", var id, "sandbox-refresh"] when HttpMethods.IsPost(method):
                State.RefreshSandbox(id);
                return SimResult.Json(200, AccountSummary(State.GetAccount(id)));

            case ["accounts", var id, "roles"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                var permissions = RolePermissions.All;
                if (body["permissions"] is JsonArray list)
                {
                    permissions = RolePermissions.None;
                    foreach (var item in list)
                    {
                        permissions |= Enum.Parse<RolePermissions>(item!.GetValue<string>(), ignoreCase: true);
                    }
                }

                var role = State.AddRole(id, Int(body, "roleId") ?? throw new ArgumentException("roleId is required."),
                    Str(body, "name") ?? "Role", Bool(body, "twoFactorRequired") ?? false, permissions);
                return SimResult.Json(201, RoleView(role));
            }

            case ["accounts", var id, "users"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                var roles = body["roleIds"] is JsonArray array ? array.Select(r => r!.GetValue<int>()).ToArray() : [];
                var user = State.AddUser(id,
                    Str(body, "email") ?? throw new ArgumentException("email is required."),
                    Str(body, "password") ?? throw new ArgumentException("password is required."),
                    Str(body, "totpSecret"), roles);
                if (Str(body, "passwordExpiresAt") is { } expires)
                {
                    user.PasswordExpiresAt = DateTimeOffset.Parse(expires, System.Globalization.CultureInfo.InvariantCulture);
                }

                return SimResult.Json(201, UserView(user));
            }

            case ["accounts", var id, "users", var email] when HttpMethods.IsPatch(method):
            {
                var user = State.GetUser(id, email);
                var body = await ReadAsync(context);
                if (Str(body, "password") is { } password)
                {
                    user.Password = password;
                }

                if (Str(body, "totpSecret") is { } totp)
                {
                    _ = Protocol.Base32.Decode(totp);
                    user.TotpSecret = totp;
                }

                if (Bool(body, "active") is { } active)
                {
                    user.Active = active;
                }

                if (body.ContainsKey("passwordExpiresAt"))
                {
                    user.PasswordExpiresAt = Str(body, "passwordExpiresAt") is { } text
                        ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
                        : null;
                }

                if (Int(body, "addRole") is { } add)
                {
                    user.AddRole(add);
                }

                if (Int(body, "removeRole") is { } remove)
                {
                    user.RemoveRole(remove);
                }

                return SimResult.Json(200, UserView(user));
            }

            case ["accounts", var id, "users", var email, "unlock"] when HttpMethods.IsPost(method):
            {
                var user = State.GetUser(id, email);
                user.Unlock();
                return SimResult.Json(200, UserView(user));
            }

            case ["accounts", var id, "consent-user"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                State.SetConsentUser(id, Str(body, "email") ?? throw new ArgumentException("email is required."),
                    Int(body, "roleId") ?? throw new ArgumentException("roleId is required."));
                return SimResult.Empty(204);
            }

            case ["accounts", var id, "integrations"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                var spec = body.Deserialize<IntegrationSpec>(JsonDefaults.Options) ?? new IntegrationSpec();
                var integration = State.AddIntegration(id, spec);
                var view = IntegrationView(integration);
                view["clientSecret"] = integration.ClientSecret;
                view["consumerKey"] = integration.ConsumerKey;
                view["consumerSecret"] = integration.ConsumerSecret;
                return SimResult.Json(201, view);
            }

            case ["accounts", var id, "integrations", var clientId] when HttpMethods.IsPatch(method):
            {
                var integration = State.GetIntegration(id, clientId);
                var body = await ReadAsync(context);
                if (Str(body, "state") is { } state)
                {
                    integration.State = Enum.Parse<IntegrationState>(state, ignoreCase: true);
                }

                if (body["scopes"] is JsonArray scopes)
                {
                    integration.Scopes = scopes.Select(s => s!.GetValue<string>()).ToList();
                }

                if (body["redirectUris"] is JsonArray uris)
                {
                    integration.RedirectUris = uris.Select(s => s!.GetValue<string>()).ToList();
                }

                integration.AuthorizationCodeGrant = Bool(body, "authorizationCodeGrant") ?? integration.AuthorizationCodeGrant;
                integration.ClientCredentials = Bool(body, "clientCredentials") ?? integration.ClientCredentials;
                integration.TokenBasedAuthentication = Bool(body, "tokenBasedAuthentication") ?? integration.TokenBasedAuthentication;
                integration.TbaIssueTokenEndpoint = Bool(body, "tbaIssueTokenEndpoint") ?? integration.TbaIssueTokenEndpoint;
                return SimResult.Json(200, IntegrationView(integration));
            }

            case ["accounts", var id, "tba-tokens"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                var issued = State.IssueTbaToken(id,
                    Str(body, "consumerKey") ?? throw new ArgumentException("consumerKey is required."),
                    Str(body, "email") ?? throw new ArgumentException("email is required."),
                    Int(body, "roleId"), Str(body, "name"));
                return SimResult.Json(201, issued);
            }

            case ["accounts", var id, "tba-tokens", var tokenId] when HttpMethods.IsDelete(method):
                return SimResult.Json(200, new { revoked = State.RevokeTbaToken(id, tokenId) });

            case ["accounts", var id, "oauth2-grants"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                var scopes = body["scopes"] is JsonArray list ? list.Select(s => s!.GetValue<string>()).ToList() : null;
                var issued = State.IssueOAuth2Tokens(id,
                    Str(body, "clientId") ?? throw new ArgumentException("clientId is required."),
                    Str(body, "email") ?? throw new ArgumentException("email is required."),
                    Int(body, "roleId"), scopes);
                return SimResult.Json(201, issued);
            }

            case ["accounts", var id, "oauth2-grants", var chainId] when HttpMethods.IsDelete(method):
                return SimResult.Json(200, new { revoked = State.RevokeOAuth2Chain(id, chainId) });

            case ["accounts", var id, "certificates"] when HttpMethods.IsGet(method):
                return SimResult.Json(200, State.Certificates(id).Select(CertificateView));

            case ["accounts", var id, "certificates"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                var clientId = Str(body, "clientId") ?? throw new ArgumentException("clientId is required.");
                var email = Str(body, "email") ?? throw new ArgumentException("email is required.");
                var roleId = Int(body, "roleId") ?? throw new ArgumentException("roleId is required.");
                if (Str(body, "generate") is { } algorithm)
                {
                    var generated = State.AddGeneratedCertificate(id, clientId, email, roleId, algorithm);
                    var view = CertificateView(generated.Certificate);
                    view["privateKeyPem"] = generated.PrivateKeyPem;
                    return SimResult.Json(201, view);
                }

                using var certificate = X509Certificate2.CreateFromPem(Str(body, "certificatePem") ?? throw new ArgumentException("certificatePem or generate is required."));
                return SimResult.Json(201, CertificateView(State.AddCertificate(id, clientId, email, roleId, certificate)));
            }

            case ["tokens"] when HttpMethods.IsGet(method):
            {
                IEnumerable<TokenView> tokens = query["account"].Count == 1 ? State.TokensFor(query["account"]!) : State.Tokens;
                if (query["kind"].Count == 1)
                {
                    var kind = Enum.Parse<TokenKind>(query["kind"]!, ignoreCase: true);
                    tokens = tokens.Where(t => t.Kind == kind);
                }

                if (query["status"].Count == 1)
                {
                    var status = Enum.Parse<TokenStatus>(query["status"]!, ignoreCase: true);
                    tokens = tokens.Where(t => t.Status == status);
                }

                if (query["orphaned"] == "true")
                {
                    tokens = tokens.Where(t => t.ResponseLost && t.Status == TokenStatus.Active);
                }

                return SimResult.Json(200, tokens.ToList());
            }

            case ["alarms"] when HttpMethods.IsGet(method):
                return SimResult.Json(200, State.Alarms);

            case ["audit"] when HttpMethods.IsGet(method):
            {
                IEnumerable<AuditEntry> entries = query["account"].Count == 1 ? State.AuditTrailFor(query["account"]!) : State.AuditTrail;
                if (query["success"].Count == 1)
                {
                    var success = bool.Parse(query["success"]!);
                    entries = entries.Where(e => e.Success == success);
                }

                var take = query["take"].Count == 1 ? int.Parse(query["take"]!, System.Globalization.CultureInfo.InvariantCulture) : 200;
                return SimResult.Json(200, entries.TakeLast(take).ToList());
            }

            case ["concurrency"] when HttpMethods.IsGet(method):
                return SimResult.Json(200, State.ConcurrencyAll);

            case ["concurrency", "reset"] when HttpMethods.IsPost(method):
                State.ResetConcurrencyStats();
                return SimResult.Empty(204);

            case ["modes"] when HttpMethods.IsGet(method):
                return SimResult.JsonBytes(200, JsonSerializer.SerializeToUtf8Bytes(State.Modes, JsonDefaults.Modes));

            case ["modes"] when HttpMethods.IsPut(method) || HttpMethods.IsPatch(method):
            {
                var body = await ReadAsync(context);
                var current = JsonSerializer.SerializeToNode(State.Modes, JsonDefaults.Modes)!.AsObject();
                foreach (var (name, value) in body)
                {
                    var key = current.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
                        ?? throw new ArgumentException($"Unknown mode '{name}'.");
                    current[key] = value?.DeepClone();
                }

                var updated = current.Deserialize<SimulatorModes>(JsonDefaults.Modes) ?? throw new ArgumentException("Bad modes.");
                CopyModes(updated, State.Modes);
                return SimResult.JsonBytes(200, JsonSerializer.SerializeToUtf8Bytes(State.Modes, JsonDefaults.Modes));
            }

            case ["faults"] when HttpMethods.IsGet(method):
                return SimResult.Json(200, app.Faults.Rules);

            case ["faults"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                var rule = app.Faults.Add(new FaultRule
                {
                    Endpoint = Str(body, "endpoint") is { } endpoint ? Enum.Parse<SimEndpoint>(endpoint, ignoreCase: true) : SimEndpoint.Any,
                    Account = Str(body, "account"),
                    Latency = TimeSpan.FromMilliseconds(Int(body, "latencyMs") ?? 0),
                    Action = Str(body, "action") is { } action ? Enum.Parse<FaultAction>(action, ignoreCase: true) : FaultAction.None,
                    Timing = Str(body, "timing") is { } timing ? Enum.Parse<FaultTiming>(timing, ignoreCase: true) : FaultTiming.BeforeProcessing,
                    StatusCode = Int(body, "statusCode") ?? 503,
                    RetryAfter = Int(body, "retryAfterSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                    Remaining = Int(body, "times"),
                    Probability = body["probability"]?.GetValue<double>() ?? 1.0,
                });
                return SimResult.Json(201, rule);
            }

            case ["faults"] when HttpMethods.IsDelete(method):
                app.Faults.Clear();
                return SimResult.Empty(204);

            case ["faults", var ruleId] when HttpMethods.IsDelete(method):
                return app.Faults.Remove(int.Parse(ruleId, System.Globalization.CultureInfo.InvariantCulture))
                    ? SimResult.Empty(204)
                    : SimResult.Json(404, new { error = "No such rule." });

            case ["seed", "bulk"] when HttpMethods.IsPost(method):
            {
                var body = await ReadAsync(context);
                var spec = body.Deserialize<BulkSeedSpec>(JsonDefaults.Options) ?? new BulkSeedSpec();
                return SimResult.Json(201, State.SeedBulk(spec));
            }

            case ["sample"] when HttpMethods.IsGet(method):
                if (!State.TryGetAccount(SampleSeed.AccountId, out var sample))
                {
                    return SimResult.Json(404, new { error = "The sample account is not seeded." });
                }

                return SimResult.Json(200, new
                {
                    account = sample.Id,
                    hostLabel = sample.HostLabel,
                    email = SampleSeed.Email,
                    password = SampleSeed.Password,
                    totpSecret = SampleSeed.TotpSecret,
                    roles = SampleSeed.RoleIds,
                    confidentialClient = new { clientId = SampleSeed.ClientId, clientSecret = SampleSeed.ClientSecret },
                    publicClient = new { clientId = SampleSeed.PublicClientId },
                    tbaToken = new { consumerKey = SampleSeed.ClientId, consumerSecret = SampleSeed.ClientSecret, tokenId = SampleSeed.TokenId, tokenSecret = SampleSeed.TokenSecret, roleId = 1000 },
                    redirectUris = SampleSeed.RedirectUris,
                });

            case ["clock"] when HttpMethods.IsGet(method):
                return SimResult.Json(200, new
                {
                    now = State.Now,
                    adjustable = State.TimeProvider is AdjustableTimeProvider,
                    offsetSeconds = (State.TimeProvider as AdjustableTimeProvider)?.Offset.TotalSeconds,
                });

            case ["clock", "advance"] when HttpMethods.IsPost(method):
            {
                if (State.TimeProvider is not AdjustableTimeProvider adjustable)
                {
                    return SimResult.Json(409, new { error = "This simulator's clock is not adjustable (the program's is; in-process tests own their TimeProvider)." });
                }

                var body = await ReadAsync(context);
                adjustable.Advance(TimeSpan.FromSeconds(body["seconds"]?.GetValue<double>() ?? throw new ArgumentException("seconds is required.")));
                return SimResult.Json(200, new { now = State.Now, offsetSeconds = adjustable.Offset.TotalSeconds });
            }

            default:
                return SimResult.Json(404, new { error = "No such admin route.", routes = Routes });
        }
    }

    private static void CopyModes(SimulatorModes from, SimulatorModes to)
    {
        foreach (var property in typeof(SimulatorModes).GetProperties())
        {
            if (property.CanWrite)
            {
                property.SetValue(to, property.GetValue(from));
            }
        }
    }

    private static async Task<JsonObject> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength == 0)
        {
            return [];
        }

        var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        return node as JsonObject ?? throw new ArgumentException("Expected a JSON object.");
    }

    private static string? Str(JsonObject body, string name) =>
        body.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>();

    private static int? Int(JsonObject body, string name) =>
        body.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.GetValue<int>();

    private static bool? Bool(JsonObject body, string name) =>
        body.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.GetValue<bool>();

    private static object AccountSummary(SimAccount account) => new
    {
        id = account.Id,
        hostLabel = account.HostLabel,
        companyName = account.CompanyName,
        isSandbox = account.IsSandbox,
        concurrencyLimit = account.ConcurrencyLimit,
        requireApprovalOnAutoInstall = account.RequireApprovalOnAutoInstall,
        sandboxRefreshCount = account.SandboxRefreshCount,
        concurrency = account.Concurrency,
    };

    private static object AccountDetail(SimAccount account) => new
    {
        account = AccountSummary(account),
        roles = account.Roles.Select(RoleView),
        users = account.Users.Select(UserView),
        integrations = account.Integrations.Select(IntegrationView),
    };

    private static object RoleView(SimRole role) => new
    {
        id = role.Id,
        name = role.Name,
        twoFactorRequired = role.TwoFactorRequired,
        permissions = role.Permissions.ToString(),
    };

    private static object UserView(SimUser user) => new
    {
        entityId = user.EntityId,
        email = user.Email,
        active = user.Active,
        roleIds = user.RoleIds,
        hasTotp = user.TotpSecret is not null,
        passwordExpiresAt = user.PasswordExpiresAt,
        failedLoginCount = user.FailedLoginCount,
        lockedUntil = user.LockedUntil,
    };

    private static Dictionary<string, object?> IntegrationView(SimIntegration integration) => new()
    {
        ["name"] = integration.Name,
        ["clientId"] = integration.ClientId,
        ["applicationId"] = integration.ApplicationId,
        ["state"] = integration.State.ToString(),
        ["installed"] = integration.Installed,
        ["publicClient"] = integration.PublicClient,
        ["authorizationCodeGrant"] = integration.AuthorizationCodeGrant,
        ["clientCredentials"] = integration.ClientCredentials,
        ["tokenBasedAuthentication"] = integration.TokenBasedAuthentication,
        ["tbaIssueTokenEndpoint"] = integration.TbaIssueTokenEndpoint,
        ["scopes"] = integration.Scopes,
        ["redirectUris"] = integration.RedirectUris,
        ["refreshTokenValidityHours"] = integration.RefreshTokenValidityHours,
        ["maxTokenRotationHours"] = integration.MaxTokenRotationHours,
    };

    private static Dictionary<string, object?> CertificateView(SimCertificate certificate) => new()
    {
        ["certificateId"] = certificate.CertificateId,
        ["clientId"] = certificate.ClientId,
        ["entityId"] = certificate.EntityId,
        ["roleId"] = certificate.RoleId,
        ["algorithm"] = certificate.Algorithm,
        ["keySize"] = certificate.KeySize,
        ["validFrom"] = certificate.ValidFrom,
        ["validUntil"] = certificate.ValidUntil,
        ["revoked"] = certificate.Revoked,
        ["responseLost"] = certificate.ResponseLost,
    };
}
