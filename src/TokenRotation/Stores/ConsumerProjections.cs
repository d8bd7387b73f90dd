using System.Text.Json;

namespace TokenRotation.Stores;

/// <summary>The shape of consumer secrets, shared by the Key Vault and the file publisher.</summary>
internal static class ConsumerProjections
{
    public const string KindTag = "kind";
    public const string AccountTag = "account";

    /// <summary>Tag (and, in the TBA JSON, field) naming the projection's format version; absent on the first, unversioned shape.</summary>
    public const string SchemaVersionTag = "schemaVersion";

    /// <summary>The format version published now. Version 1 adds only the tag and field to the unversioned shape.</summary>
    public const int SchemaVersion = 1;
    public const string AccessTokenKind = "AccessToken";
    public const string TbaKind = "Tba";
    public const string JsonContentType = "application/json";
    public const string AccessTokenContentType = "text/plain";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The TBA set as consumers read it: <c>{"schemaVersion":1,"account","consumerKey","consumerSecret","tokenId","tokenSecret"}</c>.
    /// Readers of the unversioned shape ignore the extra field.
    /// </summary>
    public static string ToJson(TbaProjection projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        return JsonSerializer.Serialize(
            new VersionedTba(SchemaVersion, projection.Account, projection.ConsumerKey, projection.ConsumerSecret, projection.TokenId, projection.TokenSecret), Json);
    }

    /// <summary>Reads a TBA set published by <see cref="ToJson"/>.</summary>
    public static TbaProjection ParseTba(string json) =>
        JsonSerializer.Deserialize<TbaProjection>(json, Json) ?? throw new InvalidDataException("The TBA projection is empty.");

    internal static void Tag(IDictionary<string, string> tags, string kind, string account)
    {
        tags[KindTag] = kind;
        tags[AccountTag] = account;
        tags[SchemaVersionTag] = SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record VersionedTba(int SchemaVersion, string Account, string ConsumerKey, string ConsumerSecret, string TokenId, string TokenSecret);
}
