using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenRotation.Connections;

/// <summary>
/// A connection's durable state: its definition, its credentials and where its rotation stands. Stored as
/// one JSON secret in the state vault (<c>conn-{name}</c>), written only when durable state changes, each
/// write incrementing <see cref="Generation"/> (the fencing token of architecture section 5).
/// </summary>
public sealed class ConnectionDocument
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    public required string Name { get; set; }

    public required ConnectionKind Kind { get; set; }

    /// <summary>
    /// The NetSuite account id in realm form (<c>1234567_SB1</c>), fixed at import; empty for an OAuth 2.0 connection
    /// imported without one, until its first consent pins it (see <see cref="AccountRestriction"/>).
    /// </summary>
    public required string Account { get; set; }

    /// <summary>Monotonic; every write of this document increments it.</summary>
    public long Generation { get; set; }

    /// <summary>
    /// Random id of the session that wrote this version (architecture section 5): two overlapping holders compute the same
    /// generation, so the read-back after a write compares this too. Null in documents written before it existed.
    /// </summary>
    public string? WriterId { get; set; }

    /// <summary>
    /// Id of the last intent marker this document's history accounts for (architecture section 13): an intent is kept
    /// with the index, outside the state vault, and applies to a document read later until a document that saw it is
    /// written. Null in documents written before markers existed, and in those no marker ever reached.
    /// </summary>
    public string? IntentMarker { get; set; }

    public ConnectionStatus Status { get; set; } = ConnectionStatus.Healthy;

    public bool Paused { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public ConnectionPolicy Policy { get; set; } = new();

    public OAuth2Definition? OAuth2 { get; set; }

    public TbaDefinition? Tba { get; set; }

    public ClientCredentialsDefinition? ClientCredentials { get; set; }

    /// <summary>Current, pending and previous credential of a rotating kind (TBA token, M2M certificate).</summary>
    public CredentialSlots Credentials { get; set; } = new();

    /// <summary>The rotation in progress, if any.</summary>
    public RotationProgress? Rotation { get; set; }

    public LastError? LastError { get; set; }

    /// <summary>Why a person is needed and what they should do; null when nobody is needed.</summary>
    public string? NeedsPersonReason { get; set; }

    public DateTimeOffset? LastSuccessAt { get; set; }

    public DateTimeOffset? LastRotationAt { get; set; }

    /// <summary>Token names NetSuite may have issued without our seeing the secret; a person should revoke them.</summary>
    public List<PossibleOrphan> PossibleOrphans { get; set; } = [];

    /// <summary>
    /// The index as the store's tags said when the document was read (not part of the JSON). Facts that change
    /// without a durable state change, such as the current access token's expiry, live only there.
    /// </summary>
    [JsonIgnore]
    public Stores.ConnectionIndex? StoredIndex { get; set; }

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ConnectionDocument FromJson(string json, string secretName)
    {
        ConnectionDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<ConnectionDocument>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            // The exception message of System.Text.Json names a path, never the value.
            throw new InvalidDataException($"State secret {secretName} is not a valid connection document: {ex.Message}", ex);
        }

        if (document is null)
        {
            throw new InvalidDataException($"State secret {secretName} is empty.");
        }

        if (document.SchemaVersion > CurrentSchemaVersion)
        {
            throw new InvalidDataException(
                $"State secret {secretName} has schemaVersion {document.SchemaVersion}; this build understands up to {CurrentSchemaVersion}. Upgrade the app.");
        }

        return document;
    }

    public ConnectionDocument Clone()
    {
        var clone = FromJson(ToJson(), Name);
        clone.StoredIndex = StoredIndex;
        return clone;
    }

    public override string ToString() => $"Connection {Name} ({Kind}, {Account}, generation {Generation}, {Status})";
}

/// <summary>Per-connection overrides of <see cref="Configuration.RotationOptions"/>; null means the global default.</summary>
public sealed class ConnectionPolicy
{
    public TimeSpan? AccessTokenLeadTime { get; set; }

    public TimeSpan? ConsentWarningLeadTime { get; set; }

    public TimeSpan? TbaRotationInterval { get; set; }

    public TimeSpan? GracePeriod { get; set; }

    public TimeSpan? CertificateRenewBefore { get; set; }
}

/// <summary>OAuth 2.0 authorization-code connection: the client and its consented tokens.</summary>
public sealed class OAuth2Definition
{
    public required string ClientId { get; set; }

    /// <summary>Null for a public client.</summary>
    public string? ClientSecret { get; set; }

    public bool IsPublicClient { get; set; }

    public List<string> Scopes { get; set; } = ["rest_webservices"];

    /// <summary>The redirect URI registered on the integration record; the callback URL of this app.</summary>
    public required string RedirectUri { get; set; }

    /// <summary>Role id the tokens must be for; pinned by the first consent unless set at import.</summary>
    public string? ExpectedRoleId { get; set; }

    /// <summary>Entity (user) id the tokens must be for; pinned by the first consent unless set at import.</summary>
    public string? ExpectedEntityId { get; set; }

    /// <summary>
    /// Imported without an account: the accounts the first consent may bind to (normalised entries of
    /// <see cref="AccountRestriction"/>); null or empty allows any.
    /// </summary>
    public List<string>? AllowedAccounts { get; set; }

    /// <summary>Public clients: the integration record's "Maximum Time For Token Rotation" (no token carries it).</summary>
    public int MaxRotationHours { get; set; } = 168;

    /// <summary>Public clients: refresh at most this often (access tokens are needed only this often).</summary>
    public TimeSpan? PublicRefreshInterval { get; set; }

    public string? RefreshToken { get; set; }

    public DateTimeOffset? RefreshTokenExpiresAt { get; set; }

    /// <summary>The refresh token's <c>iat</c>: public clients refresh by half of its validity.</summary>
    public DateTimeOffset? RefreshTokenIssuedAt { get; set; }

    /// <summary>Public clients: oit + maximum rotation time, after which a person must consent again.</summary>
    public DateTimeOffset? ChainEndsAt { get; set; }

    public DateTimeOffset? ConsentedAt { get; set; }

    /// <summary>
    /// Public clients: set (and persisted) before a refresh is sent, cleared with the new token. If a run finds
    /// it set, the single-use refresh token may have been spent without our seeing the answer.
    /// </summary>
    public DateTimeOffset? RefreshStartedAt { get; set; }
}

/// <summary>TBA connection: the integration's consumer credentials and the NetSuite user that rotates tokens.</summary>
public sealed class TbaDefinition
{
    public required string ConsumerKey { get; set; }

    public required string ConsumerSecret { get; set; }

    /// <summary>NetSuite user for issuetoken (NLAuth): e-mail, password, TOTP secret and role.</summary>
    public required RotationUser User { get; set; }

    /// <summary>Role and entity the token must be for (from tokeninfo at import).</summary>
    public string? ExpectedRoleId { get; set; }

    public string? ExpectedEntityId { get; set; }

    /// <summary>Optional extra resource URL to call, signed, when verifying a new token.</summary>
    public string? VerifyUrl { get; set; }
}

public sealed class RotationUser
{
    public required string Email { get; set; }

    public required string Password { get; set; }

    /// <summary>Base32 TOTP secret shown at 2FA set-up; null when the role does not require 2FA.</summary>
    public string? TotpSecret { get; set; }

    public required string RoleId { get; set; }

    /// <summary>
    /// Keyed fingerprint (never the password) of a password NetSuite refused for this user's NLAuth login; it is not
    /// sent again while it is the password here. Kept on the connection as well as per user in storage, so that a
    /// local store without shared storage remembers it too.
    /// </summary>
    public string? RefusedPasswordFingerprint { get; set; }

    public override string ToString() => $"{Email} (role {RoleId})";
}

/// <summary>OAuth 2.0 client-credentials connection: the client and the certificate mapping.</summary>
public sealed class ClientCredentialsDefinition
{
    public required string ClientId { get; set; }

    public List<string> Scopes { get; set; } = ["rest_webservices"];

    public required string RoleId { get; set; }

    public required string EntityId { get; set; }

    /// <summary>Name of the Key Vault certificate (in the state vault) whose key signs the client assertions.</summary>
    public required string CertificateName { get; set; }

    public string Algorithm { get; set; } = "ES256";

    /// <summary>Optional override of the assertion's <c>aud</c> (Oracle's sample and text disagree on the host).</summary>
    public string? Audience { get; set; }
}

public sealed class CredentialSlots
{
    public RotatedCredential? Current { get; set; }

    public RotatedCredential? Pending { get; set; }

    public RotatedCredential? Previous { get; set; }
}

/// <summary>One TBA token or one M2M certificate.</summary>
public sealed class RotatedCredential
{
    /// <summary>TBA token id, or the NetSuite certificate id (the assertion's <c>kid</c>).</summary>
    public required string Id { get; set; }

    /// <summary>TBA token secret; null for certificates (their key stays in Key Vault).</summary>
    public string? Secret { get; set; }

    /// <summary>The NetSuite token name, which is the rotation id that created it.</summary>
    public string? Name { get; set; }

    /// <summary>Key Vault certificate version whose key signs with this credential.</summary>
    public string? KeyVersion { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Set on the previous credential at promotion: revoke it after this time.</summary>
    public DateTimeOffset? RetireAfter { get; set; }

    public override string ToString() => $"credential {Id} ({Name})";
}

public enum RotationStep
{
    /// <summary>The rotation id is persisted; nothing has been asked of NetSuite yet (or the answer was not seen).</summary>
    Intent,

    /// <summary>A pending credential exists and is being verified.</summary>
    Issued,

    /// <summary>The pending credential became current; the previous one waits for its grace period.</summary>
    Promoted,
}

public sealed class RotationProgress
{
    public required string RotationId { get; set; }

    public RotationStep Step { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? VerifyFailingSince { get; set; }

    /// <summary>True once an issue request for <see cref="RotationId"/> has been sent (it may have been processed).</summary>
    public bool IssueSent { get; set; }
}

public sealed class LastError
{
    public required string Class { get; set; }

    public required string Code { get; set; }

    public required string Message { get; set; }

    public DateTimeOffset At { get; set; }

    public int Attempts { get; set; }

    /// <summary>When the failed work is tried again; null when only a person can move it on.</summary>
    public DateTimeOffset? RetryAt { get; set; }
}

public sealed class PossibleOrphan
{
    public required string TokenName { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public required string Reason { get; set; }
}
