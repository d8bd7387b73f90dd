using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator;

/// <summary>What <see cref="SimulatorState.IssueTbaToken"/> returns: everything a TBA client needs.</summary>
public sealed record IssuedTbaToken(
    string Account, string ConsumerKey, string ConsumerSecret, string TokenId, string TokenSecret, int EntityId, int RoleId, string Name)
{
    public override string ToString() => $"TBA token {TokenId[..8]}… for {EntityId}/{RoleId} @ {Account}";
}

/// <summary>What <see cref="SimulatorState.IssueOAuth2Tokens"/> returns (as if a consent and code exchange had happened).</summary>
public sealed record IssuedOAuth2Tokens(
    string Account, string ClientId, string AccessToken, string RefreshToken, string AccessJti, string RefreshJti,
    DateTimeOffset AccessExpiresAt, DateTimeOffset RefreshExpiresAt, int EntityId, int RoleId)
{
    public override string ToString() => $"OAuth 2.0 grant {RefreshJti} for {EntityId}/{RoleId} @ {Account}";
}

/// <summary>Why a certificate was refused (HTTP create and <see cref="SimulatorState.AddCertificate(string,string,int,int,X509Certificate2)"/>).</summary>
public sealed class CertificateRejectedException(string code, string message) : InvalidOperationException(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// Everything the simulated NetSuite knows: accounts, integration records, users and roles, tokens,
/// certificates, the Login Audit Trail and per-account concurrency. Seed it and inspect it from tests;
/// the HTTP endpoints change it. Thread-safe.
/// </summary>
public sealed partial class SimulatorState
{
    private readonly ConcurrentDictionary<string, SimAccount> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AuditEntry> _audit = new();
    private readonly ConcurrentQueue<AuditEntry> _alarms = new();
    private readonly ConcurrentDictionary<string, long> _nonces = new(StringComparer.Ordinal);
    private readonly int _auditCapacity;
    private int _auditCount;
    private int _nonceInserts;

    internal SimulatorState(TimeProvider timeProvider, SimulatorModes modes, RSA signingKey, string signingKeyId, int auditCapacity)
    {
        TimeProvider = timeProvider;
        Modes = modes;
        SigningKey = signingKey;
        SigningKeyId = signingKeyId;
        _auditCapacity = Math.Max(1, auditCapacity);
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>The same object as <see cref="NetSuiteSimulator.Modes"/>.</summary>
    public SimulatorModes Modes { get; }

    internal RSA SigningKey { get; }

    internal string SigningKeyId { get; }

    internal DateTimeOffset Now => TimeProvider.GetUtcNow();

    internal readonly ConcurrentDictionary<string, AuthorizationCode> Codes = new(StringComparer.Ordinal);
    internal readonly ConcurrentDictionary<string, ConsentTransaction> Consents = new(StringComparer.Ordinal);

    // ---------------------------------------------------------------- accounts

    /// <summary>Adds an account (either id form). Sandboxes are recognised by <c>_SB</c>/<c>_RP</c> unless <paramref name="isSandbox"/> says otherwise.</summary>
    public SimAccount AddAccount(
        string accountId,
        int concurrencyLimit = 5,
        bool? isSandbox = null,
        bool requireApprovalOnAutoInstall = false,
        string? companyName = null)
    {
        if (!AccountIds.IsWellFormed(accountId))
        {
            throw new ArgumentException("An account id has letters, digits, '_' or '-'.", nameof(accountId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(concurrencyLimit, 1);
        var realm = AccountIds.ToRealm(accountId);
        var account = new SimAccount(realm, concurrencyLimit, isSandbox ?? AccountIds.LooksLikeSandbox(realm), companyName ?? $"Simulated Company {realm}")
        {
            RequireApprovalOnAutoInstall = requireApprovalOnAutoInstall,
        };
        account.RolesById[3] = new SimRole(3, "Administrator", twoFactorRequired: true, RolePermissions.All);
        account.RolesById[1000] = new SimRole(1000, "Integration Role", twoFactorRequired: false, RolePermissions.All);
        if (!_accounts.TryAdd(realm, account))
        {
            throw new InvalidOperationException($"Account {realm} already exists.");
        }

        return account;
    }

    public IReadOnlyCollection<SimAccount> Accounts => _accounts.Values.OrderBy(a => a.Id, StringComparer.Ordinal).ToList();

    public SimAccount GetAccount(string accountId) =>
        TryGetAccount(accountId, out var account) ? account : throw new KeyNotFoundException($"No account {AccountIds.ToRealm(accountId)}.");

    public bool TryGetAccount(string accountId, out SimAccount account) =>
        _accounts.TryGetValue(AccountIds.ToRealm(accountId), out account!);

    internal bool TryGetAccountByRealm(string realm, out SimAccount account) => _accounts.TryGetValue(realm, out account!);

    /// <summary>
    /// A sandbox refresh: every TBA token, OAuth 2.0 token and client-credentials mapping of the account is
    /// wiped (NetSuite topic 2.3, 3.3). Integration records, users and roles stay.
    /// </summary>
    public void RefreshSandbox(string accountId)
    {
        var account = GetAccount(accountId);
        if (!account.IsSandbox)
        {
            throw new InvalidOperationException($"{account.Id} is not a sandbox.");
        }

        var now = Now;
        foreach (var token in account.TbaTokens.Values)
        {
            token.TryEnd(TokenStatus.Wiped, now);
        }

        foreach (var token in account.RefreshTokens.Values)
        {
            token.TryEnd(TokenStatus.Wiped, now);
        }

        foreach (var token in account.AccessTokens.Values)
        {
            token.TryEnd(TokenStatus.Wiped, now);
        }

        lock (account.CertificateGate)
        {
            account.Certificates.Clear();
            account.CertificateKeys.Clear();
        }

        foreach (var code in Codes.Values.Where(c => c.AccountId == account.Id))
        {
            Codes.TryRemove(code.Code, out _);
        }

        account.SandboxRefreshCount++;
        Audit(new AuditEntry(now, account.Id, SimEndpoint.Any, true, "SandboxRefresh", Note: "All tokens and client-credentials mappings wiped."));
    }

    // ---------------------------------------------------------------- roles and users

    /// <summary>Adds or replaces a role. Accounts start with 3 Administrator (two-factor required) and 1000 Integration Role.</summary>
    public SimRole AddRole(string accountId, int roleId, string name, bool twoFactorRequired = false, RolePermissions permissions = RolePermissions.All)
    {
        var account = GetAccount(accountId);
        var role = new SimRole(roleId, name, twoFactorRequired, permissions);
        account.RolesById[roleId] = role;
        return role;
    }

    public SimRole GetRole(string accountId, int roleId) =>
        GetAccount(accountId).RolesById.TryGetValue(roleId, out var role) ? role : throw new KeyNotFoundException($"No role {roleId}.");

    /// <summary>
    /// Adds a user (an employee entity). Roles not yet defined are created with every permission and no
    /// two-factor requirement; with no roles the user gets 1000 (Integration Role).
    /// </summary>
    public SimUser AddUser(string accountId, string email, string password, string? totpSecret = null, params int[] roleIds)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        ArgumentNullException.ThrowIfNull(password);
        if (totpSecret is not null)
        {
            _ = Base32.Decode(totpSecret);
        }

        var account = GetAccount(accountId);
        if (roleIds is null || roleIds.Length == 0)
        {
            roleIds = [1000];
        }

        foreach (var roleId in roleIds)
        {
            account.RolesById.TryAdd(roleId, new SimRole(roleId, $"Role {roleId}", twoFactorRequired: false, RolePermissions.All));
        }

        var user = new SimUser(account.Id, Interlocked.Increment(ref account.NextEntityId), email, password, totpSecret, roleIds);
        if (!account.UsersByEmail.TryAdd(email, user))
        {
            throw new InvalidOperationException($"A user with that e-mail already exists in {account.Id}.");
        }

        account.UsersById[user.EntityId] = user;
        return user;
    }

    public SimUser GetUser(string accountId, string email) =>
        GetAccount(accountId).UsersByEmail.TryGetValue(email, out var user) ? user : throw new KeyNotFoundException("No such user.");

    /// <summary>The user and role the consent page preselects and auto-approval uses.</summary>
    public void SetConsentUser(string accountId, string email, int roleId)
    {
        var account = GetAccount(accountId);
        var user = GetUser(accountId, email);
        if (!user.HasRole(roleId))
        {
            throw new InvalidOperationException("The user does not have that role.");
        }

        account.ConsentPreference = (user.EntityId, roleId);
    }

    // ---------------------------------------------------------------- integration records

    /// <summary>Adds an integration record; the answer carries client id/secret (= consumer key/secret).</summary>
    public SimIntegration AddIntegration(string accountId, IntegrationSpec? spec = null)
    {
        spec ??= new IntegrationSpec();
        var account = GetAccount(accountId);
        ValidateSpec(spec);
        var integration = new SimIntegration(
            account.Id,
            spec,
            spec.ClientId ?? NewHex(32),
            spec.ClientSecret ?? NewHex(32),
            spec.ApplicationId ?? Guid.NewGuid().ToString().ToUpperInvariant());
        if (!account.IntegrationsByClientId.TryAdd(integration.ClientId, integration))
        {
            throw new InvalidOperationException($"An integration with that client id already exists in {account.Id}.");
        }

        return integration;
    }

    public SimIntegration GetIntegration(string accountId, string clientId) =>
        GetAccount(accountId).IntegrationsByClientId.TryGetValue(clientId, out var integration)
            ? integration
            : throw new KeyNotFoundException("No such integration record.");

    /// <summary>Sets Enabled, Blocked or Waiting for Approval.</summary>
    public void SetIntegrationState(string accountId, string clientId, IntegrationState state) =>
        GetIntegration(accountId, clientId).State = state;

    private static void ValidateSpec(IntegrationSpec spec)
    {
        string[] known = ["restlets", "rest_webservices", "suite_analytics", "mcp"];
        if (spec.Scopes.Count == 0 || spec.Scopes.Any(s => !known.Contains(s)))
        {
            throw new ArgumentException("Scopes are restlets, rest_webservices, suite_analytics or mcp.", nameof(spec));
        }

        if (spec.Scopes.Contains("mcp") && spec.Scopes.Count > 1)
        {
            throw new ArgumentException("The mcp scope is used alone.", nameof(spec));
        }

        if (spec.RefreshTokenValidityHours is < 1 or > 720 || spec.MaxTokenRotationHours is < 1 or > 720)
        {
            throw new ArgumentException("Public-client validity fields are 1 to 720 hours.", nameof(spec));
        }

        foreach (var uri in spec.RedirectUris)
        {
            if (!IsAcceptableRedirectUri(uri))
            {
                throw new ArgumentException(
                    "Redirect URIs are https:// or a custom scheme; http:// is refused except for loopback hosts (a simulator allowance).",
                    nameof(spec));
            }
        }
    }

    private static bool IsAcceptableRedirectUri(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return false;
        }

        return parsed.Scheme switch
        {
            "https" => true,
            "http" => parsed.IsLoopback,
            _ => parsed.Scheme.Length > 0,
        };
    }

    // ---------------------------------------------------------------- TBA tokens

    /// <summary>
    /// Creates an active TBA token as if the user had issued it (no NLAuth, no TOTP). Explicit
    /// <paramref name="tokenId"/>/<paramref name="tokenSecret"/> allow Oracle's published test vectors.
    /// </summary>
    public IssuedTbaToken IssueTbaToken(
        string accountId, string consumerKey, string email, int? roleId = null, string? name = null, string? tokenId = null, string? tokenSecret = null)
    {
        var account = GetAccount(accountId);
        var integration = GetIntegration(accountId, consumerKey);
        var user = GetUser(accountId, email);
        var role = roleId ?? user.FirstRoleId;
        if (!user.HasRole(role))
        {
            throw new InvalidOperationException("The user does not have that role.");
        }

        var token = CreateTbaToken(account, integration, user, role, name, tokenId, tokenSecret);
        return new IssuedTbaToken(account.Id, integration.ConsumerKey, integration.ConsumerSecret, token.TokenId, token.TokenSecret, user.EntityId, role, token.Name);
    }

    internal SimTbaToken CreateTbaToken(SimAccount account, SimIntegration integration, SimUser user, int roleId, string? name, string? tokenId = null, string? tokenSecret = null)
    {
        var token = new SimTbaToken(
            tokenId ?? NewHex(32),
            tokenSecret ?? NewHex(32),
            string.IsNullOrWhiteSpace(name) ? $"{integration.Name} - {user.Email} - {roleId}" : name,
            account.Id,
            integration.ConsumerKey,
            user.EntityId,
            roleId,
            Now);
        if (!account.TbaTokens.TryAdd(token.TokenId, token))
        {
            throw new InvalidOperationException("Token id collision.");
        }

        return token;
    }

    /// <summary>Revokes a TBA token as an administrator would in the UI.</summary>
    public bool RevokeTbaToken(string accountId, string tokenId) =>
        GetAccount(accountId).TbaTokens.TryGetValue(tokenId, out var token) && token.TryEnd(TokenStatus.Revoked, Now);

    // ---------------------------------------------------------------- OAuth 2.0 tokens

    /// <summary>Grants an access and refresh token as if the user had consented and the code had been exchanged.</summary>
    public IssuedOAuth2Tokens IssueOAuth2Tokens(string accountId, string clientId, string email, int? roleId = null, IReadOnlyList<string>? scopes = null)
    {
        var account = GetAccount(accountId);
        var integration = GetIntegration(accountId, clientId);
        var user = GetUser(accountId, email);
        var role = roleId ?? user.FirstRoleId;
        var pair = IssueTokenPair(account, integration, user.EntityId, role, scopes ?? integration.Scopes, chain: null, "authorization_code");
        return new IssuedOAuth2Tokens(
            account.Id, clientId, pair.AccessJwt, pair.RefreshJwt!, pair.Access.Jti, pair.Refresh!.Jti,
            pair.Access.ExpiresAt, pair.Refresh.ExpiresAt, user.EntityId, role);
    }

    internal sealed record TokenPair(SimAccessToken Access, string AccessJwt, SimRefreshToken? Refresh, string? RefreshJwt);

    /// <summary>
    /// Issues an access token and (for code grants and public refreshes) a refresh token.
    /// <paramref name="chain"/> is the refresh token being used, for public-client rotation.
    /// </summary>
    internal TokenPair IssueTokenPair(SimAccount account, SimIntegration integration, int entityId, int roleId, IReadOnlyList<string> scopes, SimRefreshToken? chain, string grantType)
    {
        var now = Now;
        SimRefreshToken? refresh = null;
        string? refreshJwt = null;
        var chainStart = chain?.ChainStartedAt ?? now;
        var chainId = chain?.ChainId;
        if (chain is null || integration.PublicClient)
        {
            (refresh, refreshJwt) = CreateRefreshToken(account, integration, entityId, roleId, scopes, chainStart, chainId);
            chainId = refresh.ChainId;
        }

        var (access, accessJwt) = IssueAccessToken(account, integration, entityId, roleId, scopes, chainStart, chainId, null, grantType);
        return new TokenPair(access, accessJwt, refresh, refreshJwt);
    }

    /// <summary>A refresh token: confidential clients get the record's lifetime (7 days); public clients the validity hours, capped at the chain's maximum rotation time.</summary>
    internal (SimRefreshToken Refresh, string Jwt) CreateRefreshToken(
        SimAccount account, SimIntegration integration, int entityId, int roleId, IReadOnlyList<string> scopes, DateTimeOffset chainStart, string? chainId)
    {
        var now = Now;
        DateTimeOffset expires;
        if (integration.PublicClient)
        {
            var deadline = chainStart.AddHours(integration.MaxTokenRotationHours);
            expires = now.AddHours(integration.RefreshTokenValidityHours);
            if (expires > deadline)
            {
                expires = deadline;
            }
        }
        else
        {
            expires = now + integration.ConfidentialRefreshTokenLifetime;
        }

        var jti = NewJti(account, 'r', now);
        var refresh = new SimRefreshToken
        {
            Jti = jti,
            AccountId = account.Id,
            ClientId = integration.ClientId,
            EntityId = entityId,
            RoleId = roleId,
            Scopes = scopes,
            IssuedAt = now,
            ExpiresAt = expires,
            ChainStartedAt = chainStart,
            ChainId = chainId ?? jti,
            PublicClient = integration.PublicClient,
        };
        var jwt = SignToken(account, integration, entityId, roleId, scopes, now, expires, chainStart, jti);
        account.RefreshTokens[jti] = refresh;
        return (refresh, jwt);
    }

    internal (SimAccessToken Access, string Jwt) IssueAccessToken(
        SimAccount account, SimIntegration integration, int entityId, int roleId, IReadOnlyList<string> scopes,
        DateTimeOffset chainStart, string? chainId, string? certificateId, string grantType)
    {
        var now = Now;
        var jti = NewJti(account, 'a', now);
        var access = new SimAccessToken
        {
            Jti = jti,
            AccountId = account.Id,
            ClientId = integration.ClientId,
            EntityId = entityId,
            RoleId = roleId,
            Scopes = scopes,
            IssuedAt = now,
            ExpiresAt = now.AddHours(1),
            ChainId = chainId,
            CertificateId = certificateId,
            GrantType = grantType,
        };
        var jwt = SignToken(account, integration, entityId, roleId, scopes, now, access.ExpiresAt, chainStart, jti);
        account.AccessTokens[jti] = access;
        return (access, jwt);
    }

    /// <summary>Revokes a refresh-token chain and its access tokens (the UI's "OAuth 2.0 Authorized Applications" revoke).</summary>
    public int RevokeOAuth2Chain(string accountId, string chainId)
    {
        var account = GetAccount(accountId);
        var now = Now;
        var count = 0;
        foreach (var token in account.RefreshTokens.Values.Where(t => t.ChainId == chainId))
        {
            count += token.TryEnd(TokenStatus.Revoked, now) ? 1 : 0;
        }

        foreach (var token in account.AccessTokens.Values.Where(t => t.ChainId == chainId))
        {
            count += token.TryEnd(TokenStatus.Revoked, now) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Revokes the chain a refresh token belongs to (as a person does in the UI); 0 when the token is unknown.</summary>
    public int RevokeOAuth2ChainOf(string accountId, string refreshJti) =>
        GetAccount(accountId).RefreshTokens.TryGetValue(refreshJti, out var token) ? RevokeOAuth2Chain(accountId, token.ChainId) : 0;

    /// <summary>
    /// A JWT like NetSuite's (NetSuite topic 1.6): header <c>{"kid":..,"typ":"JWT","alg":"RS256"}</c>, payload
    /// <c>sub</c> = <c>role;entity</c>, <c>aud</c> = [<c>applicationId;company</c>, clientId], <c>scope</c> array,
    /// <c>iss</c>, <c>oit</c>, <c>exp</c>, <c>iat</c>, <c>jti</c>.
    /// </summary>
    private string SignToken(SimAccount account, SimIntegration integration, int entityId, int roleId, IReadOnlyList<string> scopes, DateTimeOffset iat, DateTimeOffset exp, DateTimeOffset oit, string jti)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("sub", string.Create(CultureInfo.InvariantCulture, $"{roleId};{entityId}"));
            writer.WriteStartArray("aud");
            writer.WriteStringValue($"{integration.ApplicationId};{account.Id}");
            writer.WriteStringValue(integration.ClientId);
            writer.WriteEndArray();
            writer.WriteStartArray("scope");
            foreach (var scope in scopes)
            {
                writer.WriteStringValue(scope);
            }

            writer.WriteEndArray();
            writer.WriteString("iss", "https://system.netsuite.com");
            writer.WriteNumber("oit", oit.ToUnixTimeSeconds());
            writer.WriteNumber("exp", exp.ToUnixTimeSeconds());
            writer.WriteNumber("iat", iat.ToUnixTimeSeconds());
            writer.WriteString("jti", jti);
            writer.WriteEndObject();
        }

        return Jwt.CreateRs256(SigningKey, SigningKeyId, buffer.WrittenSpan);
    }

    /// <summary>Oracle's shape: <c>4030059.a.5b3236b9-…_1611067655359.1611067655359</c> (refresh: <c>.r.</c>, ends <c>.0</c>).</summary>
    private static string NewJti(SimAccount account, char kind, DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        return kind == 'a'
            ? string.Create(CultureInfo.InvariantCulture, $"{account.Id}.a.{Guid.NewGuid()}_{ms}.{ms}")
            : string.Create(CultureInfo.InvariantCulture, $"{account.Id}.r.{Guid.NewGuid()}_{ms}.0");
    }

    // ---------------------------------------------------------------- certificates

    /// <summary>Maps a certificate (public part) to (integration record, entity, role); returns it with its certificate id (the assertion's <c>kid</c>).</summary>
    public SimCertificate AddCertificate(string accountId, string clientId, int entityId, int roleId, X509Certificate2 certificate)
    {
        var account = GetAccount(accountId);
        var pem = certificate.ExportCertificatePem();
        return MapCertificate(account, clientId, entityId, roleId, certificate, pem);
    }

    /// <summary>Same, naming the user by e-mail.</summary>
    public SimCertificate AddCertificate(string accountId, string clientId, string email, int roleId, X509Certificate2 certificate) =>
        AddCertificate(accountId, clientId, GetUser(accountId, email).EntityId, roleId, certificate);

    internal SimCertificate MapCertificate(SimAccount account, string clientId, int entityId, int roleId, X509Certificate2 certificate, string pem)
    {
        if (!account.IntegrationsByClientId.TryGetValue(clientId, out var integration))
        {
            throw new CertificateRejectedException("INVALID_CLIENT", "Unknown client id.");
        }

        if (!integration.ClientCredentials)
        {
            throw new CertificateRejectedException("INVALID_CLIENT", "The integration record does not allow the client credentials grant.");
        }

        if (!account.UsersById.TryGetValue(entityId, out var user) || !user.HasRole(roleId))
        {
            throw new CertificateRejectedException("INVALID_ENTITY_ROLE", "The entity does not have that role.");
        }

        AsymmetricAlgorithm key;
        string algorithm;
        int keySize;
        if (certificate.GetECDsaPublicKey() is { } ec)
        {
            (key, algorithm, keySize) = (ec, "EC", ec.KeySize);
            if (keySize is not (256 or 384 or 521))
            {
                throw new CertificateRejectedException("INVALID_KEY", "EC keys are 256, 384 or 521 bits.");
            }
        }
        else if (certificate.GetRSAPublicKey() is { } rsa)
        {
            (key, algorithm, keySize) = (rsa, "RSA", rsa.KeySize);
            if (keySize is not (3072 or 4096))
            {
                throw new CertificateRejectedException("INVALID_KEY", "RSA keys are 3072 or 4096 bits.");
            }
        }
        else
        {
            throw new CertificateRejectedException("INVALID_KEY", "Only RSA and EC keys are accepted.");
        }

        var now = Now;
        var fingerprint = SimCertificate.Fingerprint(certificate);
        lock (account.CertificateGate)
        {
            if (account.CertificateKeys.TryGetValue(fingerprint, out var bound) && bound != (clientId, entityId, roleId))
            {
                throw new CertificateRejectedException(
                    "CERTIFICATE_ALREADY_USED",
                    "This certificate's key is already used for another integration record, entity and role combination.");
            }

            var active = account.Certificates.Values.Count(c => c.ClientId == clientId && c.IsActive(now));
            if (active >= 5)
            {
                throw new CertificateRejectedException("CERTIFICATE_LIMIT_EXCEEDED", "An integration record has at most 5 active certificates.");
            }

            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            var cap = now.AddYears(2);
            var mapped = new SimCertificate
            {
                CertificateId = Base64Url.Encode(RandomNumberGenerator.GetBytes(32)),
                AccountId = account.Id,
                ClientId = clientId,
                EntityId = entityId,
                RoleId = roleId,
                Algorithm = algorithm,
                KeySize = keySize,
                CreatedAt = now,
                ValidFrom = new DateTimeOffset(certificate.NotBefore.ToUniversalTime()),
                ValidUntil = notAfter < cap ? notAfter : cap,
                KeyFingerprint = fingerprint,
                CertificatePem = pem,
                PublicKey = key,
            };
            account.CertificateKeys[fingerprint] = (clientId, entityId, roleId);
            account.Certificates[mapped.CertificateId] = mapped;
            return mapped;
        }
    }

    /// <summary>Revokes a certificate mapping; its key can never be mapped to another combination.</summary>
    public bool RevokeCertificate(string accountId, string certificateId)
    {
        var account = GetAccount(accountId);
        if (!account.Certificates.TryGetValue(certificateId, out var certificate) || certificate.Revoked)
        {
            return false;
        }

        certificate.RevokedAt = Now;
        return true;
    }

    /// <summary>Certificates of an account, optionally of one integration record.</summary>
    public IReadOnlyList<SimCertificate> Certificates(string accountId, string? clientId = null) =>
        GetAccount(accountId).Certificates.Values
            .Where(c => clientId is null || c.ClientId == clientId)
            .OrderBy(c => c.CreatedAt)
            .ToList();

    // ---------------------------------------------------------------- inspection

    /// <summary>Every credential of every account (TBA tokens, refresh tokens, access tokens).</summary>
    public IReadOnlyList<TokenView> Tokens => _accounts.Values.SelectMany(a => TokensFor(a)).ToList();

    /// <summary>Every credential of one account.</summary>
    public IReadOnlyList<TokenView> TokensFor(string accountId) => TokensFor(GetAccount(accountId)).ToList();

    private IEnumerable<TokenView> TokensFor(SimAccount account)
    {
        var now = Now;
        return account.TbaTokens.Values.Select(t => t.ToView())
            .Concat(account.RefreshTokens.Values.Select(t => t.ToView(now)))
            .Concat(account.AccessTokens.Values.Select(t => t.ToView(now)))
            .OrderBy(t => t.CreatedAt);
    }

    /// <summary>Active TBA tokens of an account.</summary>
    public IReadOnlyList<SimTbaToken> ActiveTbaTokens(string accountId) =>
        GetAccount(accountId).TbaTokens.Values.Where(t => t.Status == TokenStatus.Active).OrderBy(t => t.CreatedAt).ToList();

    /// <summary>
    /// Active credentials whose issuing answer was lost (dropped or replaced by an injected fault): the client
    /// never saw them, so only a person can find and revoke them. Null account: all accounts.
    /// </summary>
    public IReadOnlyList<TokenView> OrphanedTokens(string? accountId = null)
    {
        var source = accountId is null ? Tokens : TokensFor(accountId);
        return source.Where(t => t.ResponseLost && t.Status == TokenStatus.Active).ToList();
    }

    /// <summary>The Login Audit Trail, oldest first (bounded; oldest dropped first).</summary>
    public IReadOnlyList<AuditEntry> AuditTrail => _audit.ToArray();

    public IReadOnlyList<AuditEntry> AuditTrailFor(string accountId)
    {
        var realm = AccountIds.ToRealm(accountId);
        return _audit.Where(e => e.Account == realm).ToList();
    }

    /// <summary>The highest number of simultaneous requests (admitted or not) the account saw.</summary>
    public int MaxConcurrencySeen(string accountId) => GetAccount(accountId).Concurrency.MaxSeen;

    public ConcurrencyStats Concurrency(string accountId) => GetAccount(accountId).Concurrency;

    public IReadOnlyList<ConcurrencyStats> ConcurrencyAll => _accounts.Values.Select(a => a.Concurrency).OrderBy(c => c.Account, StringComparer.Ordinal).ToList();

    public void ResetConcurrencyStats()
    {
        foreach (var account in _accounts.Values)
        {
            account.ResetConcurrencyStats();
        }
    }

    /// <summary>
    /// Audit lines that mean a client misbehaved, kept apart from the bounded trail so a long soak can check them after
    /// every step: a spent single-use refresh token presented again, a TOTP code used twice for one user, a user
    /// locked after failed logins.
    /// </summary>
    public IReadOnlyList<AuditEntry> Alarms => _alarms.ToArray();

    /// <summary>How many <see cref="Alarms"/> there are (cheap to poll).</summary>
    public int AlarmCount => _alarms.Count;

    internal void Audit(AuditEntry entry)
    {
        if (IsAlarm(entry))
        {
            _alarms.Enqueue(entry);
        }

        _audit.Enqueue(entry);
        if (Interlocked.Increment(ref _auditCount) > _auditCapacity && _audit.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _auditCount);
        }
    }

    private static bool IsAlarm(AuditEntry entry) =>
        entry.Detail is "OtpAlreadyUsed" or "temporary_locked"
        || (entry.Note?.Contains("the user is locked", StringComparison.Ordinal) ?? false)
        || (entry.Detail == "InvalidRefreshToken" && (entry.Note?.Contains("already used", StringComparison.Ordinal) ?? false));

    /// <summary>Records a nonce for (consumer key, token); true when it was already used inside the 10-minute window.</summary>
    internal bool NonceReused(string consumerKey, string tokenId, string nonce)
    {
        var now = Now.ToUnixTimeSeconds();
        var key = string.Concat(consumerKey, "|", tokenId, "|", nonce);
        if (_nonces.TryGetValue(key, out var expires) && expires > now)
        {
            return true;
        }

        var added = _nonces.TryAdd(key, now + 600);
        if (!added)
        {
            // Raced with another request carrying the same nonce, or an expired entry: only a live one counts.
            if (_nonces.TryGetValue(key, out expires) && expires > now)
            {
                return true;
            }

            _nonces[key] = now + 600;
        }

        if (Interlocked.Increment(ref _nonceInserts) % 8192 == 0)
        {
            foreach (var pair in _nonces)
            {
                if (pair.Value <= now)
                {
                    _nonces.TryRemove(pair);
                }
            }
        }

        return false;
    }

    internal static string NewHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
