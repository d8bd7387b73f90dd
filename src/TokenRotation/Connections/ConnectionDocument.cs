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
    /// Possible orphans a person has dealt with (revoked in NetSuite, or found never issued): who said so, when and
    /// why. Kept for the record; they no longer count as open and no longer raise the alert.
    /// </summary>
    public List<AcknowledgedOrphan> AcknowledgedOrphans { get; set; } = [];

    /// <summary>
    /// The index as the store's tags said when the document was read (not part of the JSON). Facts that change
    /// without a durable state change, such as the current access token's expiry, live only there.
    /// </summary>
    [JsonIgnore]
    public Stores.ConnectionIndex? StoredIndex { get; set; }

    /// <summary>
    /// A check of the credential made in this session (not part of the JSON): when it worked and what proved it, or when a
    /// check failed. It goes to the index only (architecture section 13); without it the stored index's check stands.
    /// </summary>
    [JsonIgnore]
    public Stores.CredentialCheck? Check { get; set; }

    /// <summary>
    /// The ETag of the connection's index row as this holder last read or wrote it (not part of the JSON): the store
    /// writes the row only if it is still that version (architecture section 13, conditional writes). Null when the
    /// document was not read through the table (a new import); empty when it was read and no row existed.
    /// </summary>
    [JsonIgnore]
    public string? IndexRowVersion { get; set; }

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

    public override string ToString() => $"Connection {Name} ({Kind}, {Account}, generation {Generation}, {Status})";
}
