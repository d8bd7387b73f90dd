using System.Globalization;
using System.Text.Json;

namespace NetSuite.Auth.Certificates;

/// <summary>A record NetSuite refers to in a certificate listing (entity or role): id, name and UI path.</summary>
/// <param name="Id">The internal id (sent as a number; kept as text).</param>
/// <param name="Name">The display name.</param>
/// <param name="Url">The UI path, e.g. <c>/app/setup/role.nl?id=3</c>.</param>
public sealed record NetSuiteRecordReference(string? Id, string? Name, string? Url);

/// <summary>The integration record a certificate is mapped to.</summary>
/// <param name="Id">The integration record's internal id.</param>
/// <param name="Name">The integration record's name.</param>
/// <param name="Url">The UI path.</param>
/// <param name="ApplicationId">The application id (a GUID).</param>
public sealed record NetSuiteCertificateApplication(string? Id, string? Name, string? Url, string? ApplicationId);

/// <summary>One entry of the certificates list (<c>GET .../clients/{clientId}/certificates</c>, NetSuite topic 2.4). Fields NetSuite may omit are null.</summary>
public sealed record NetSuiteCertificate
{
    /// <summary><c>certificate_id</c>: the <c>kid</c> of client assertions signed with this certificate's key.</summary>
    public required string CertificateId { get; init; }

    /// <summary><c>algorithm</c>: <c>RSA</c> or <c>EC</c>.</summary>
    public string? Algorithm { get; init; }

    /// <summary><c>created</c>.</summary>
    public DateOnly? Created { get; init; }

    /// <summary><c>valid_from</c>.</summary>
    public DateOnly? ValidFrom { get; init; }

    /// <summary><c>valid_until</c>: the last day the certificate is valid.</summary>
    public DateOnly? ValidUntil { get; init; }

    /// <summary><c>revoked</c>.</summary>
    public bool Revoked { get; init; }

    /// <summary><c>application</c>: the integration record.</summary>
    public NetSuiteCertificateApplication? Application { get; init; }

    /// <summary><c>entity</c>: the user the certificate signs in as.</summary>
    public NetSuiteRecordReference? Entity { get; init; }

    /// <summary><c>role</c>: the role the certificate signs in with.</summary>
    public NetSuiteRecordReference? Role { get; init; }

    /// <summary>Whether the certificate is usable on <paramref name="date"/>: not revoked and within its validity dates (when known).</summary>
    /// <param name="date">The day to check.</param>
    /// <returns>True when active.</returns>
    public bool IsActiveOn(DateOnly date) =>
        !Revoked && (ValidFrom is not { } from || from <= date) && (ValidUntil is not { } until || date <= until);

    internal static NetSuiteCertificate? Read(JsonElement item)
    {
        if (CertificateJson.String(item, "certificate_id") is not { } id)
        {
            return null;
        }

        return new NetSuiteCertificate
        {
            CertificateId = id,
            Algorithm = CertificateJson.String(item, "algorithm"),
            Created = CertificateJson.Date(item, "created"),
            ValidFrom = CertificateJson.Date(item, "valid_from"),
            ValidUntil = CertificateJson.Date(item, "valid_until"),
            Revoked = CertificateJson.Bool(item, "revoked"),
            Application = item.TryGetProperty("application", out var app) && app.ValueKind == JsonValueKind.Object
                ? new NetSuiteCertificateApplication(
                    CertificateJson.String(app, "id"), CertificateJson.String(app, "name"), CertificateJson.String(app, "url"), CertificateJson.String(app, "application_id"))
                : null,
            Entity = CertificateJson.Reference(item, "entity"),
            Role = CertificateJson.Reference(item, "role"),
        };
    }
}

/// <summary>What to upload to map a new certificate (<c>POST .../certificates</c>): the public certificate, role and entity.</summary>
public sealed record NetSuiteCertificateUpload
{
    /// <summary>The public X.509 certificate in PEM (<c>-----BEGIN CERTIFICATE-----</c>); never a private key.</summary>
    public required string CertificatePem { get; init; }

    /// <summary>The role id the certificate signs in with (sent as <c>role</c>, a number).</summary>
    public required int RoleId { get; init; }

    /// <summary>The entity (user) id the certificate signs in as (sent as <c>entity</c>, a string as in Oracle's sample).</summary>
    public required int EntityId { get; init; }
}

/// <summary>NetSuite's answer to a certificate upload (NetSuite topic 2.4).</summary>
public sealed record NetSuiteCreatedCertificate
{
    /// <summary><c>certificate_id</c>: the <c>kid</c> to put in client assertions.</summary>
    public required string CertificateId { get; init; }

    /// <summary><c>algorithm</c>: <c>RSA</c> or <c>EC</c>.</summary>
    public string? Algorithm { get; init; }

    /// <summary><c>created_at</c>.</summary>
    public DateOnly? Created { get; init; }

    /// <summary><c>valid_from</c>.</summary>
    public DateOnly? ValidFrom { get; init; }

    /// <summary><c>valid_until</c> (NetSuite shortens validity over two years silently).</summary>
    public DateOnly? ValidUntil { get; init; }

    /// <summary><c>invalidated</c>.</summary>
    public bool Invalidated { get; init; }

    /// <summary><c>application_id</c> (the integration record's internal id).</summary>
    public string? ApplicationId { get; init; }

    /// <summary><c>entity_role_id.com</c>: the account.</summary>
    public string? Company { get; init; }

    /// <summary><c>entity_role_id.ent</c>.</summary>
    public string? EntityId { get; init; }

    /// <summary><c>entity_role_id.rol</c>.</summary>
    public string? RoleId { get; init; }

    internal static NetSuiteCreatedCertificate? Read(JsonElement root)
    {
        if (CertificateJson.String(root, "certificate_id") is not { } id)
        {
            return null;
        }

        var mapping = root.TryGetProperty("entity_role_id", out var m) ? m : default;
        return new NetSuiteCreatedCertificate
        {
            CertificateId = id,
            Algorithm = CertificateJson.String(root, "algorithm"),
            Created = CertificateJson.Date(root, "created_at") ?? CertificateJson.Date(root, "created"),
            ValidFrom = CertificateJson.Date(root, "valid_from"),
            ValidUntil = CertificateJson.Date(root, "valid_until"),
            Invalidated = CertificateJson.Bool(root, "invalidated"),
            ApplicationId = CertificateJson.String(root, "application_id"),
            Company = CertificateJson.String(mapping, "com"),
            EntityId = CertificateJson.String(mapping, "ent"),
            RoleId = CertificateJson.String(mapping, "rol"),
        };
    }
}

/// <summary>Tolerant readers for the certificates endpoint's JSON (types vary between samples).</summary>
internal static class CertificateJson
{
    public static string? String(JsonElement element, string name) => NetSuiteHttp.GetScalar(element, name);

    public static DateOnly? Date(JsonElement element, string name)
    {
        var text = String(element, name);
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment)
            ? DateOnly.FromDateTime(moment.UtcDateTime)
            : null;
    }

    public static bool Bool(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.String => value.GetString() is "true" or "True" or "TRUE" or "T",
            _ => false,
        };
    }

    public static NetSuiteRecordReference? Reference(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? new NetSuiteRecordReference(String(value, "id"), String(value, "name"), String(value, "url"))
            : null;
}
