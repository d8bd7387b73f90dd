using System.Globalization;
using System.Text.Json;
using NetSuite.Auth.Tba;

namespace NetSuite.Auth.KeyVault;

/// <summary>What a consumer-vault secret holds.</summary>
public enum ConsumerCredentialKind
{
    /// <summary>An OAuth 2.0 access token (authorization code or client credentials), sent as <c>Authorization: Bearer</c>.</summary>
    AccessToken,

    /// <summary>A TBA set (consumer key and secret, token id and secret) that signs each request with OAuth 1.0a.</summary>
    Tba,
}

/// <summary>One version of a connection's consumer-vault secret, read and understood.</summary>
/// <remarks><see cref="ToString"/> never shows a secret.</remarks>
public sealed class ConsumerCredential
{
    /// <summary>The newest format this library reads.</summary>
    public const int SupportedSchemaVersion = 1;

    private const string KindTag = "kind";
    private const string AccountTag = "account";
    private const string SchemaVersionTag = "schemaVersion";
    private const string AccessTokenKind = "AccessToken";
    private const string TbaKind = "Tba";

    private ConsumerCredential(ConsumerCredentialKind kind, string secretName, string version, int schemaVersion, string? account, DateTimeOffset? expiresOn, string? accessToken, TbaCredentials? tba)
    {
        Kind = kind;
        SecretName = secretName;
        Version = version;
        SchemaVersion = schemaVersion;
        Account = account;
        ExpiresOn = expiresOn;
        AccessToken = accessToken;
        Tba = tba;
    }

    /// <summary>Access token or TBA set.</summary>
    public ConsumerCredentialKind Kind { get; }

    /// <summary>The secret's name, e.g. <c>netsuite-erp</c>.</summary>
    public string SecretName { get; }

    /// <summary>The Key Vault version id read; a rotation or refresh makes a new one.</summary>
    public string Version { get; }

    /// <summary>The projection's format version: 0 for the first, unversioned shape, else its <c>schemaVersion</c>.</summary>
    public int SchemaVersion { get; }

    /// <summary>The NetSuite account (realm form) when the secret names it.</summary>
    public string? Account { get; }

    /// <summary>When the access token expires (the secret's <c>expires</c>); null for a TBA set.</summary>
    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>The access token (a secret) for <see cref="ConsumerCredentialKind.AccessToken"/>; otherwise null.</summary>
    public string? AccessToken { get; }

    /// <summary>The TBA set (holds secrets) for <see cref="ConsumerCredentialKind.Tba"/>; otherwise null.</summary>
    public TbaCredentials? Tba { get; }

    /// <summary>Describes the credential without its secrets.</summary>
    /// <returns>Kind, secret name, version and expiry.</returns>
    public override string ToString() =>
        $"ConsumerCredential {{ Kind = {Kind}, Secret = {SecretName}, Version = {Version}, SchemaVersion = {SchemaVersion}, Account = {Account}, ExpiresOn = {ExpiresOn?.ToString("O", CultureInfo.InvariantCulture) ?? "-"} }}";

    /// <summary>
    /// Understands one secret version in either shape the service has published: the first, unversioned one (tags
    /// <c>kind</c> and <c>account</c> only) and schema version 1 (plus a <c>schemaVersion</c> tag and, in the TBA JSON,
    /// field). Without a <c>kind</c> tag, a value that is a JSON object is a TBA set and anything else an access token.
    /// </summary>
    /// <param name="secretName">The secret's name (for messages).</param>
    /// <param name="version">The version id.</param>
    /// <param name="value">The secret value.</param>
    /// <param name="expiresOn">The secret's <c>expires</c> attribute.</param>
    /// <param name="tags">The secret's tags.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="NetSuiteCredentialException">The secret is not a credential this library reads; the message says why and never shows the value.</exception>
    public static ConsumerCredential Parse(string secretName, string version, string? value, DateTimeOffset? expiresOn, IReadOnlyDictionary<string, string>? tags)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretName);
        ArgumentNullException.ThrowIfNull(version);
        tags ??= new Dictionary<string, string>();
        var where = $"Secret '{secretName}' (version {version})";
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new NetSuiteCredentialException($"{where} is empty.");
        }

        var schemaVersion = 0;
        if (tags.TryGetValue(SchemaVersionTag, out var tagged))
        {
            schemaVersion = ParseSchemaVersion(where, tagged);
        }

        tags.TryGetValue(AccountTag, out var account);
        var isJson = value.TrimStart().StartsWith('{');
        var kind = tags.TryGetValue(KindTag, out var kindTag)
            ? kindTag switch
            {
                AccessTokenKind => ConsumerCredentialKind.AccessToken,
                TbaKind => ConsumerCredentialKind.Tba,
                _ => throw new NetSuiteCredentialException($"{where} has kind '{kindTag}'; this library reads '{AccessTokenKind}' and '{TbaKind}'."),
            }
            : isJson ? ConsumerCredentialKind.Tba : ConsumerCredentialKind.AccessToken;

        if (kind == ConsumerCredentialKind.AccessToken)
        {
            if (isJson || value.Any(char.IsWhiteSpace))
            {
                throw new NetSuiteCredentialException($"{where} is tagged as an access token but its value is not one (it is JSON or holds spaces).");
            }

            return new ConsumerCredential(kind, secretName, version, schemaVersion, account, expiresOn, value, null);
        }

        var tba = ParseTba(where, value, account, ref schemaVersion);
        return new ConsumerCredential(kind, secretName, version, schemaVersion, tba.Account.Realm, expiresOn, null, tba);
    }

    private static TbaCredentials ParseTba(string where, string value, string? taggedAccount, ref int schemaVersion)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(value);
        }
        catch (JsonException)
        {
            // The parser's message can quote part of the value, so it is not passed on.
            throw new NetSuiteCredentialException($"{where} is tagged as a TBA set but is not valid JSON.");
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new NetSuiteCredentialException($"{where} is tagged as a TBA set but is not a JSON object.");
            }

            if (root.TryGetProperty("schemaVersion", out var field))
            {
                schemaVersion = field.ValueKind == JsonValueKind.Number && field.TryGetInt32(out var n)
                    ? Supported(where, n)
                    : throw new NetSuiteCredentialException($"{where} has a schemaVersion field that is not a whole number.");
            }

            var accountText = Field(root, "account") ?? taggedAccount
                ?? throw new NetSuiteCredentialException($"{where} has no account (field 'account' or tag 'account').");
            if (!NetSuiteAccountId.TryParse(accountText, out var account))
            {
                throw new NetSuiteCredentialException($"{where} has account '{accountText}', which is not a NetSuite account id.");
            }

            string Required(string name) => Field(root, name) is { Length: > 0 } text
                ? text
                : throw new NetSuiteCredentialException($"{where} is a TBA set without '{name}'.");

            return new TbaCredentials(account, Required("consumerKey"), Required("consumerSecret"), Required("tokenId"), Required("tokenSecret"));
        }
    }

    private static string? Field(JsonElement root, string name)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            }
        }

        return null;
    }

    private static int ParseSchemaVersion(string where, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? Supported(where, n)
            : throw new NetSuiteCredentialException($"{where} has schemaVersion tag '{text}', which is not a whole number.");

    private static int Supported(string where, int schemaVersion) =>
        schemaVersion is >= 1 and <= SupportedSchemaVersion
            ? schemaVersion
            : throw new NetSuiteCredentialException(
                $"{where} has schemaVersion {schemaVersion}; this library reads up to {SupportedSchemaVersion}. Update NetSuite.Auth.KeyVault.");
}
