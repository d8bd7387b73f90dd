using System.Buffers.Text;
using System.Globalization;
using System.Text.Json.Nodes;

namespace KeyVault.TestServer;

/// <summary>A response the handler wants written.</summary>
internal sealed record KvResponse(int Status, JsonNode? Body = null, IReadOnlyList<KeyValuePair<string, string>>? Headers = null);

/// <summary>Builds Key Vault's JSON shapes.</summary>
internal sealed class KeyVaultResponses(KeyVaultTestServerOptions options, Func<string> vaultBase)
{
    private string Vault => vaultBase();

    private string RecoveryLevel => options.PurgeProtection ? "Recoverable" : "Recoverable+Purgeable";

    public static KvResponse Error(int status, string code, string message, string? innerCode = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (innerCode is not null)
        {
            error["innererror"] = new JsonObject { ["code"] = innerCode };
        }

        return new KvResponse(status, new JsonObject { ["error"] = error });
    }

    public static KvResponse InvalidName(string? name) =>
        Error(400, "BadParameter", $"The request URI contains an invalid name: {name}");

    public static KvResponse SecretNotFound(string name, string? version = null) =>
        Error(404, "SecretNotFound",
            $"A secret with (name/id) {(version is null ? name : name + "/" + version)} was not found in this key vault. "
            + "If you recently deleted this secret you may be able to recover it using the correct recovery command.");

    public static KvResponse CertificateNotFound(string name, string? version = null) =>
        Error(404, "CertificateNotFound",
            $"A certificate with (name/id) {(version is null ? name : name + "/" + version)} was not found in this key vault.");

    public static KvResponse KeyNotFound(string name, string? version = null) =>
        Error(404, "KeyNotFound",
            $"A key with (name/id) {(version is null ? name : name + "/" + version)} was not found in this key vault.");

    public static long Unix(DateTimeOffset time) => time.ToUnixTimeSeconds();

    public static DateTimeOffset FromUnix(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    public static string B64Url(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public string SecretId(string name, string? version = null) =>
        version is null ? $"{Vault}/secrets/{name}" : $"{Vault}/secrets/{name}/{version}";

    public string KeyId(string name, string version) => $"{Vault}/keys/{name}/{version}";

    public string CertificateId(string name, string? version = null) =>
        version is null ? $"{Vault}/certificates/{name}" : $"{Vault}/certificates/{name}/{version}";

    public JsonObject SecretAttributes(SecretVersionData v)
    {
        var a = new JsonObject { ["enabled"] = v.Enabled };
        if (v.NotBefore is { } nbf)
        {
            a["nbf"] = Unix(nbf);
        }

        if (v.ExpiresOn is { } exp)
        {
            a["exp"] = Unix(exp);
        }

        a["created"] = Unix(v.Created);
        a["updated"] = Unix(v.Updated);
        a["recoveryLevel"] = RecoveryLevel;
        a["recoverableDays"] = options.SoftDeleteRetentionDays;
        return a;
    }

    /// <summary>SecretBundle (get/set/update) or SecretItem (list) for one version.</summary>
    public JsonObject Secret(string name, SecretVersionData v, bool includeValue, bool versionedId = true, string? valueOverride = null, string? contentTypeOverride = null)
    {
        var o = new JsonObject();
        if (includeValue)
        {
            o["value"] = valueOverride ?? v.Value;
        }

        o["id"] = SecretId(name, versionedId ? v.Version : null);
        if ((contentTypeOverride ?? v.ContentType) is { } contentType)
        {
            o["contentType"] = contentType;
        }

        o["attributes"] = SecretAttributes(v);
        if (v.Tags.Count > 0)
        {
            o["tags"] = Tags(v.Tags);
        }

        if (v.Managed)
        {
            o["managed"] = true;
            if (includeValue && v.KeyId is not null)
            {
                o["kid"] = v.KeyId;
            }
        }

        return o;
    }

    public JsonObject DeletedSecret(SecretData secret, SecretVersionData v, bool versionedId)
    {
        var o = Secret(secret.Name, v, includeValue: false, versionedId);
        o["recoveryId"] = $"{Vault}/deletedsecrets/{secret.Name}";
        if (secret.DeletedOn is { } deletedOn)
        {
            o["deletedDate"] = Unix(deletedOn);
            o["scheduledPurgeDate"] = Unix(secret.ScheduledPurge(options));
        }

        return o;
    }

    public JsonObject CertificateAttributes(CertificateVersionData v) => new()
    {
        ["enabled"] = v.Enabled,
        ["nbf"] = Unix(new DateTimeOffset(v.Certificate.NotBefore.ToUniversalTime())),
        ["exp"] = Unix(new DateTimeOffset(v.Certificate.NotAfter.ToUniversalTime())),
        ["created"] = Unix(v.Created),
        ["updated"] = Unix(v.Updated),
        ["recoveryLevel"] = RecoveryLevel,
        ["recoverableDays"] = options.SoftDeleteRetentionDays,
    };

    public JsonObject Certificate(CertificateData cert, CertificateVersionData v, bool includePolicy)
    {
        var o = new JsonObject
        {
            ["id"] = CertificateId(cert.Name, v.Version),
            ["kid"] = KeyId(cert.Name, v.KeyVersion),
            ["sid"] = SecretId(cert.Name, v.Version),
            ["x5t"] = B64Url(v.Certificate.GetCertHash()),
            ["cer"] = Convert.ToBase64String(v.Certificate.RawData),
            ["attributes"] = CertificateAttributes(v),
        };
        if (v.Tags.Count > 0)
        {
            o["tags"] = Tags(v.Tags);
        }

        if (includePolicy)
        {
            o["policy"] = cert.Policy.DeepClone();
        }

        return o;
    }

    public JsonObject CertificateItem(CertificateData cert, CertificateVersionData v, bool versionedId)
    {
        var o = new JsonObject
        {
            ["id"] = CertificateId(cert.Name, versionedId ? v.Version : null),
            ["x5t"] = B64Url(v.Certificate.GetCertHash()),
            ["attributes"] = CertificateAttributes(v),
        };
        if (v.Tags.Count > 0)
        {
            o["tags"] = Tags(v.Tags);
        }

        return o;
    }

    public JsonObject CertificateOperation(CertificateData cert) => new()
    {
        ["id"] = $"{Vault}/certificates/{cert.Name}/pending",
        ["issuer"] = new JsonObject { ["name"] = "Self" },
        ["csr"] = Convert.ToBase64String(cert.Csr),
        ["cancellation_requested"] = false,
        ["status"] = "completed",
        ["status_details"] = "The certificate was issued at once by the Key Vault test server.",
        ["target"] = CertificateId(cert.Name),
        ["request_id"] = cert.RequestId,
    };

    public static JsonObject Tags(IReadOnlyDictionary<string, string> tags)
    {
        var o = new JsonObject();
        foreach (var (k, v) in tags)
        {
            o[k] = v;
        }

        return o;
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
