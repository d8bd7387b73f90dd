using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NetSuite.Simulator;

/// <summary>Integration record state (NetSuite topic 5.3).</summary>
public enum IntegrationState
{
    Enabled,
    Blocked,
    WaitingForApproval,
}

/// <summary>The role permissions that matter to authentication (NetSuite topic 1.9, 2.4, 3.1).</summary>
[Flags]
public enum RolePermissions
{
    None = 0,

    /// <summary>"Log in using Access Tokens" (TBA).</summary>
    LogInUsingAccessTokens = 1,

    /// <summary>"User Access Tokens": issue and revoke one's own TBA tokens.</summary>
    UserAccessTokens = 2,

    /// <summary>"Log in using OAuth 2.0 Access Tokens".</summary>
    LogInUsingOAuth2AccessTokens = 4,

    /// <summary>"Manage own OAuth 2.0 Client Credentials Certificates".</summary>
    ManageOwnClientCredentialsCertificates = 8,

    All = LogInUsingAccessTokens | UserAccessTokens | LogInUsingOAuth2AccessTokens | ManageOwnClientCredentialsCertificates,
}

/// <summary>Kinds of credential the simulator issues.</summary>
public enum TokenKind
{
    Tba,
    OAuth2Refresh,
    OAuth2Access,
}

/// <summary>Lifecycle of an issued credential.</summary>
public enum TokenStatus
{
    Active,
    Revoked,

    /// <summary>A public client's single-use refresh token that has been used.</summary>
    Spent,
    Expired,

    /// <summary>Removed by a sandbox refresh.</summary>
    Wiped,
}

/// <summary>Per-account concurrency figures. <see cref="MaxSeen"/> counts attempts, including rejected ones.</summary>
public sealed record ConcurrencyStats(string Account, int Limit, int InFlight, int MaxSeen, int MaxAdmitted, long Admitted, long Rejected);

/// <summary>One Login Audit Trail line. <see cref="Detail"/> uses Oracle's detail names where Oracle has one.</summary>
public sealed record AuditEntry(
    DateTimeOffset Time,
    string Account,
    SimEndpoint Endpoint,
    bool Success,
    string Detail,
    string? Email = null,
    int? EntityId = null,
    int? RoleId = null,
    string? ClientId = null,
    string? TokenRef = null,
    string? Note = null);

/// <summary>A credential as the inspection API shows it (never the secret).</summary>
public sealed record TokenView(
    TokenKind Kind,
    string Id,
    string? Name,
    string Account,
    string ClientId,
    int EntityId,
    int RoleId,
    TokenStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? EndedAt,
    bool ResponseLost,
    DateTimeOffset? LastUsedAt,
    long UseCount);

/// <summary>Something issued in a response that may be lost (fault injection marks it an orphan).</summary>
internal interface ILoseable
{
    void MarkResponseLost();
}

/// <summary>A NetSuite account (production, sandbox, release preview) with its concurrency limit.</summary>
public sealed class SimAccount
{
    internal SimAccount(string realm, int concurrencyLimit, bool isSandbox, string companyName)
    {
        Id = realm;
        HostLabel = Protocol.AccountIds.ToHostLabel(realm);
        ConcurrencyLimit = concurrencyLimit;
        IsSandbox = isSandbox;
        CompanyName = companyName;
    }

    /// <summary>Realm form: <c>1234567_SB1</c>.</summary>
    public string Id { get; }

    /// <summary>Host-label form: <c>1234567-sb1</c> (the first path segment of every URL).</summary>
    public string HostLabel { get; }

    public string CompanyName { get; set; }

    public bool IsSandbox { get; }

    public int ConcurrencyLimit { get; set; }

    /// <summary>"Require Approval during Auto-Installation of Integration" (SOAP Web Services Preferences, NetSuite topic 5.3).</summary>
    public bool RequireApprovalOnAutoInstall { get; set; }

    /// <summary>How many sandbox refreshes this account went through.</summary>
    public int SandboxRefreshCount { get; internal set; }

    public IReadOnlyCollection<SimIntegration> Integrations => IntegrationsByClientId.Values.ToList();

    public IReadOnlyCollection<SimUser> Users => UsersById.Values.OrderBy(u => u.EntityId).ToList();

    public IReadOnlyCollection<SimRole> Roles => RolesById.Values.OrderBy(r => r.Id).ToList();

    internal readonly ConcurrentDictionary<string, SimIntegration> IntegrationsByClientId = new(StringComparer.Ordinal);
    internal readonly ConcurrentDictionary<string, SimUser> UsersByEmail = new(StringComparer.OrdinalIgnoreCase);
    internal readonly ConcurrentDictionary<int, SimUser> UsersById = new();
    internal readonly ConcurrentDictionary<int, SimRole> RolesById = new();
    internal readonly ConcurrentDictionary<string, SimTbaToken> TbaTokens = new(StringComparer.Ordinal);
    internal readonly ConcurrentDictionary<string, SimRefreshToken> RefreshTokens = new(StringComparer.Ordinal);
    internal readonly ConcurrentDictionary<string, SimAccessToken> AccessTokens = new(StringComparer.Ordinal);
    internal readonly ConcurrentDictionary<string, SimCertificate> Certificates = new(StringComparer.Ordinal);

    /// <summary>Public-key fingerprint to the (client id, entity, role) combination it is bound to.</summary>
    internal readonly ConcurrentDictionary<string, (string ClientId, int EntityId, int RoleId)> CertificateKeys = new(StringComparer.Ordinal);

    internal readonly Lock CertificateGate = new();
    internal int NextEntityId = 99;

    /// <summary>The user and role the consent page preselects and auto-approval uses.</summary>
    internal (int EntityId, int RoleId)? ConsentPreference { get; set; }

    internal int InFlight;
    internal int MaxSeen;
    internal int MaxAdmitted;
    internal long Admitted;
    internal long Rejected;

    public ConcurrencyStats Concurrency => new(
        Id, ConcurrencyLimit, Volatile.Read(ref InFlight), Volatile.Read(ref MaxSeen),
        Volatile.Read(ref MaxAdmitted), Interlocked.Read(ref Admitted), Interlocked.Read(ref Rejected));

    internal bool TryEnter()
    {
        var n = Interlocked.Increment(ref InFlight);
        UpdateMax(ref MaxSeen, n);
        if (n > ConcurrencyLimit)
        {
            Interlocked.Decrement(ref InFlight);
            Interlocked.Increment(ref Rejected);
            return false;
        }

        UpdateMax(ref MaxAdmitted, n);
        Interlocked.Increment(ref Admitted);
        return true;
    }

    internal void Exit() => Interlocked.Decrement(ref InFlight);

    internal void ResetConcurrencyStats()
    {
        Volatile.Write(ref MaxSeen, Volatile.Read(ref InFlight));
        Volatile.Write(ref MaxAdmitted, Volatile.Read(ref InFlight));
        Interlocked.Exchange(ref Admitted, 0);
        Interlocked.Exchange(ref Rejected, 0);
    }

    private static void UpdateMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    public override string ToString() => Id;
}

/// <summary>A role with its two-factor flag and the permissions that matter.</summary>
public sealed class SimRole(int id, string name, bool twoFactorRequired, RolePermissions permissions)
{
    public int Id { get; } = id;

    public string Name { get; set; } = name;

    public bool TwoFactorRequired { get; set; } = twoFactorRequired;

    public RolePermissions Permissions { get; set; } = permissions;

    public bool Has(RolePermissions permission) => (Permissions & permission) == permission;
}

/// <summary>A NetSuite user (an employee entity) with password, TOTP secret and roles.</summary>
public sealed class SimUser
{
    internal SimUser(string accountId, int entityId, string email, string password, string? totpSecret, IEnumerable<int> roleIds)
    {
        AccountId = accountId;
        EntityId = entityId;
        Email = email;
        Name = email;
        Password = password;
        TotpSecret = totpSecret;
        _roleIds = [.. roleIds];
    }

    public string AccountId { get; }

    public int EntityId { get; }

    public string Email { get; }

    public string Name { get; set; }

    /// <summary>The password (a test seeds it; NetSuite would never show it).</summary>
    public string Password { get; set; }

    /// <summary>Base32 TOTP secret, or null when the user has no authenticator app.</summary>
    public string? TotpSecret { get; set; }

    /// <summary>After this time the password no longer logs in.</summary>
    public DateTimeOffset? PasswordExpiresAt { get; set; }

    public bool Active { get; set; } = true;

    public int FailedLoginCount { get; internal set; }

    public DateTimeOffset? LockedUntil { get; internal set; }

    /// <summary>The last TOTP step accepted for this user (codes are single use per window).</summary>
    public long? LastTotpStep { get; internal set; }

    public IReadOnlyList<int> RoleIds
    {
        get
        {
            lock (Gate)
            {
                return [.. _roleIds];
            }
        }
    }

    /// <summary>The user's first role, used when a token names none; 0 when the user has no role.</summary>
    internal int FirstRoleId
    {
        get
        {
            lock (Gate)
            {
                return _roleIds.Count > 0 ? _roleIds[0] : 0;
            }
        }
    }

    /// <summary>Removing a role keeps its tokens but makes them unusable (NetSuite topic 3.3).</summary>
    public void RemoveRole(int roleId)
    {
        lock (Gate)
        {
            _roleIds.Remove(roleId);
        }
    }

    public void AddRole(int roleId)
    {
        lock (Gate)
        {
            if (!_roleIds.Contains(roleId))
            {
                _roleIds.Add(roleId);
            }
        }
    }

    public bool HasRole(int roleId)
    {
        lock (Gate)
        {
            return _roleIds.Contains(roleId);
        }
    }

    /// <summary>Clears the lock and the failure count (an administrator's unlock).</summary>
    public void Unlock()
    {
        lock (Gate)
        {
            FailedLoginCount = 0;
            LockedUntil = null;
        }
    }

    internal readonly Lock Gate = new();
    private readonly List<int> _roleIds;

    public override string ToString() => $"{Email} ({EntityId})";
}

/// <summary>Settings for a new integration record. Every field has a NetSuite-like default.</summary>
public sealed record IntegrationSpec
{
    public string Name { get; init; } = "Token Rotation Test Integration";

    /// <summary>Client id = consumer key (64 hex characters); null generates one.</summary>
    public string? ClientId { get; init; }

    /// <summary>Client secret = consumer secret; null generates one.</summary>
    public string? ClientSecret { get; init; }

    public IntegrationState State { get; init; } = IntegrationState.Enabled;

    public bool AuthorizationCodeGrant { get; init; } = true;

    /// <summary>Client Credentials (Machine to Machine) Grant. Forced off for public clients (NetSuite does not allow both).</summary>
    public bool ClientCredentials { get; init; } = true;

    public bool TokenBasedAuthentication { get; init; } = true;

    /// <summary>"TBA: IssueToken Endpoint".</summary>
    public bool TbaIssueTokenEndpoint { get; init; } = true;

    public IReadOnlyList<string> Scopes { get; init; } = ["restlets", "rest_webservices"];

    public IReadOnlyList<string> RedirectUris { get; init; } = ["https://localhost/netsuite/callback"];

    public bool PublicClient { get; init; }

    /// <summary>Public clients: "Refresh Token Validity (In Hours)", 1–720, default 48.</summary>
    public int RefreshTokenValidityHours { get; init; } = 48;

    /// <summary>Public clients: "Maximum Time For Token Rotation (In Hours)", 1–720, default 168.</summary>
    public int MaxTokenRotationHours { get; init; } = 168;

    /// <summary>Confidential clients' refresh-token lifetime (7 days; 25.2 made it configurable).</summary>
    public TimeSpan ConfidentialRefreshTokenLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Per-record override of the account's auto-install approval switch.</summary>
    public bool? RequireApprovalOnAutoInstall { get; init; }

    /// <summary>False models a record made elsewhere that is auto-installed here on first token grant or issuetoken.</summary>
    public bool Installed { get; init; } = true;

    /// <summary>Application ID (the GUID in the token <c>aud</c>); null generates one.</summary>
    public string? ApplicationId { get; init; }
}

/// <summary>An integration record. In NetSuite the consumer key is the client id and the consumer secret is the client secret.</summary>
public sealed class SimIntegration
{
    internal SimIntegration(string accountId, IntegrationSpec spec, string clientId, string clientSecret, string applicationId)
    {
        AccountId = accountId;
        Name = spec.Name;
        ClientId = clientId;
        ClientSecret = clientSecret;
        ApplicationId = applicationId;
        State = spec.State;
        AuthorizationCodeGrant = spec.AuthorizationCodeGrant;
        PublicClient = spec.PublicClient;
        ClientCredentials = spec.ClientCredentials && !spec.PublicClient;
        TokenBasedAuthentication = spec.TokenBasedAuthentication;
        TbaIssueTokenEndpoint = spec.TbaIssueTokenEndpoint;
        Scopes = [.. spec.Scopes];
        RedirectUris = [.. spec.RedirectUris];
        RefreshTokenValidityHours = spec.RefreshTokenValidityHours;
        MaxTokenRotationHours = spec.MaxTokenRotationHours;
        ConfidentialRefreshTokenLifetime = spec.ConfidentialRefreshTokenLifetime;
        RequireApprovalOnAutoInstall = spec.RequireApprovalOnAutoInstall;
        Installed = spec.Installed;
    }

    public string AccountId { get; }

    public string Name { get; set; }

    public string ApplicationId { get; }

    public string ClientId { get; }

    public string ClientSecret { get; }

    public string ConsumerKey => ClientId;

    public string ConsumerSecret => ClientSecret;

    public IntegrationState State { get; set; }

    public bool AuthorizationCodeGrant { get; set; }

    public bool ClientCredentials { get; set; }

    public bool TokenBasedAuthentication { get; set; }

    public bool TbaIssueTokenEndpoint { get; set; }

    public IReadOnlyList<string> Scopes { get; set; }

    public IReadOnlyList<string> RedirectUris { get; set; }

    public bool PublicClient { get; }

    public int RefreshTokenValidityHours { get; set; }

    public int MaxTokenRotationHours { get; set; }

    public TimeSpan ConfidentialRefreshTokenLifetime { get; set; }

    public bool? RequireApprovalOnAutoInstall { get; set; }

    public bool Installed { get; set; }

    public override string ToString() => $"{Name} ({ClientId[..8]}…)";
}

/// <summary>
/// What every issued token (TBA, refresh, access) has: a status that ends once (revoked, expired, wiped), its use
/// count and last use, and whether the response that carried it was lost.
/// </summary>
public abstract class SimIssuedToken : ILoseable
{
    public DateTimeOffset? EndedAt { get; internal set; }

    public TokenStatus Status => (TokenStatus)Volatile.Read(ref _status);

    /// <summary>True when the answer that carried this token was lost (the client never saw it): an orphan while active.</summary>
    public bool ResponseLost { get; private set; }

    public DateTimeOffset? LastUsedAt { get; internal set; }

    public long UseCount => Interlocked.Read(ref _useCount);

    private int _status;
    private long _useCount;

    /// <summary>Counts one authenticated use of the token.</summary>
    internal void RecordUse() => Interlocked.Increment(ref _useCount);

    /// <summary>Ends an active token; false when it had already ended.</summary>
    internal bool TryEnd(TokenStatus to, DateTimeOffset at)
    {
        if (Interlocked.CompareExchange(ref _status, (int)to, (int)TokenStatus.Active) == (int)TokenStatus.Active)
        {
            EndedAt = at;
            return true;
        }

        return false;
    }

    void ILoseable.MarkResponseLost() => ResponseLost = true;
}

/// <summary>A TBA token (token id + secret) for (account, user, role, integration).</summary>
public sealed class SimTbaToken : SimIssuedToken
{
    internal SimTbaToken(string tokenId, string tokenSecret, string name, string accountId, string consumerKey, int entityId, int roleId, DateTimeOffset createdAt)
    {
        TokenId = tokenId;
        TokenSecret = tokenSecret;
        Name = name;
        AccountId = accountId;
        ConsumerKey = consumerKey;
        EntityId = entityId;
        RoleId = roleId;
        CreatedAt = createdAt;
    }

    public string TokenId { get; }

    internal string TokenSecret { get; }

    public string Name { get; }

    public string AccountId { get; }

    public string ConsumerKey { get; }

    public int EntityId { get; }

    public int RoleId { get; }

    public DateTimeOffset CreatedAt { get; }

    internal TokenView ToView() => new(
        TokenKind.Tba, TokenId, Name, AccountId, ConsumerKey, EntityId, RoleId,
        Status, CreatedAt, null, EndedAt, ResponseLost, LastUsedAt, UseCount);
}

/// <summary>An OAuth 2.0 refresh token (a JWT whose <c>jti</c> contains <c>.r.</c>).</summary>
public sealed class SimRefreshToken : SimIssuedToken
{
    public required string Jti { get; init; }

    public required string AccountId { get; init; }

    public required string ClientId { get; init; }

    public required int EntityId { get; init; }

    public required int RoleId { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary><c>oit</c>: when the first token of the chain was issued.</summary>
    public required DateTimeOffset ChainStartedAt { get; init; }

    /// <summary>The jti of the first refresh token of the chain (the authorized application instance).</summary>
    public required string ChainId { get; init; }

    public required bool PublicClient { get; init; }

    internal TokenView ToView(DateTimeOffset now) => new(
        TokenKind.OAuth2Refresh, Jti, null, AccountId, ClientId, EntityId, RoleId,
        Status == TokenStatus.Active && ExpiresAt <= now ? TokenStatus.Expired : Status,
        IssuedAt, ExpiresAt, EndedAt, ResponseLost, LastUsedAt, UseCount);
}

/// <summary>An OAuth 2.0 access token (a JWT whose <c>jti</c> contains <c>.a.</c>), 60 minutes.</summary>
public sealed class SimAccessToken : SimIssuedToken
{
    public required string Jti { get; init; }

    public required string AccountId { get; init; }

    public required string ClientId { get; init; }

    public required int EntityId { get; init; }

    public required int RoleId { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The refresh-token chain it belongs to (null for client credentials).</summary>
    public string? ChainId { get; init; }

    /// <summary>The certificate whose key signed the client assertion (client credentials).</summary>
    public string? CertificateId { get; init; }

    public required string GrantType { get; init; }

    internal TokenView ToView(DateTimeOffset now) => new(
        TokenKind.OAuth2Access, Jti, null, AccountId, ClientId, EntityId, RoleId,
        Status == TokenStatus.Active && ExpiresAt <= now ? TokenStatus.Expired : Status,
        IssuedAt, ExpiresAt, EndedAt, ResponseLost, LastUsedAt, UseCount);
}

/// <summary>A client-credentials certificate mapped to (integration record, entity, role).</summary>
public sealed class SimCertificate : ILoseable
{
    public required string CertificateId { get; init; }

    public required string AccountId { get; init; }

    public required string ClientId { get; init; }

    public required int EntityId { get; init; }

    public required int RoleId { get; init; }

    /// <summary><c>EC</c> or <c>RSA</c>.</summary>
    public required string Algorithm { get; init; }

    public required int KeySize { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ValidFrom { get; init; }

    /// <summary>At most two years after upload: longer validity is silently shortened (NetSuite topic 2.3).</summary>
    public required DateTimeOffset ValidUntil { get; init; }

    public required string KeyFingerprint { get; init; }

    public string CertificatePem { get; init; } = "";

    public DateTimeOffset? RevokedAt { get; internal set; }

    public bool Revoked => RevokedAt is not null;

    public bool ResponseLost { get; private set; }

    public bool IsActive(DateTimeOffset now) => !Revoked && now < ValidUntil;

    internal AsymmetricAlgorithm PublicKey { get; init; } = null!;

    void ILoseable.MarkResponseLost() => ResponseLost = true;

    /// <summary>SHA-256 of the SubjectPublicKeyInfo, hex.</summary>
    internal static string Fingerprint(X509Certificate2 certificate) =>
        Convert.ToHexString(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
}

internal sealed class AuthorizationCode
{
    public required string Code { get; init; }

    public required string AccountId { get; init; }

    public required string ClientId { get; init; }

    public required string RedirectUri { get; init; }

    public string? CodeChallenge { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public required int EntityId { get; init; }

    public required int RoleId { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public int Used;
}

internal sealed class ConsentTransaction
{
    public required string Id { get; init; }

    public required string AccountId { get; init; }

    public required string ClientId { get; init; }

    public required string RedirectUri { get; init; }

    public required string State { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public string? CodeChallenge { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public int Used;
}
