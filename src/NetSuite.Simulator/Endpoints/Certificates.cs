using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace NetSuite.Simulator.Http;

internal sealed partial class SimulatorApp
{
    /// <summary>Bearer token with <c>rest_webservices</c> and the certificate permission (NetSuite topic 2.4).</summary>
    private AuthOutcome AuthenticateCertificateCall(SimRequest request)
    {
        var header = request.Http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            Audit(request, false, "MissingAuthorization", note: "The certificates endpoint needs an OAuth 2.0 bearer token.");
            return AuthOutcome.Fail(Responses.BearerInvalid(ResourceFamily.Rest, request.Account.Id));
        }

        var outcome = VerifyBearer(request, header[7..].Trim(), "rest_webservices");
        if (outcome.Failure is not null)
        {
            return outcome;
        }

        if (!outcome.Principal!.Role.Has(RolePermissions.ManageOwnClientCredentialsCertificates))
        {
            Audit(request, false, "permission_denied", outcome.Principal.User, outcome.Principal.Role.Id,
                note: "The role lacks 'Manage own OAuth 2.0 Client Credentials Certificates'.");
            return AuthOutcome.Fail(Responses.RestProblem(403, "Forbidden", "INSUFFICIENT_PERMISSION",
                "You do not have permission to manage OAuth 2.0 client credentials certificates."));
        }

        return outcome;
    }

    private static string[] CertificatePathParts(SimRequest request) =>
        request.NetSuitePath["/services/rest/auth/oauth2/v1/".Length..].Split('/');

    private static SimResult? FindIntegrationForCertificates(SimRequest request, string clientId, out SimIntegration integration)
    {
        if (request.Account.IntegrationsByClientId.TryGetValue(clientId, out integration!))
        {
            return null;
        }

        return Responses.RestProblem(404, "Not Found", "NONEXISTENT_ID", "No integration record with that client id.");
    }

    /// <summary><c>GET …/clients/{clientId}/certificates</c>: the caller's own mappings for the record.</summary>
    private ValueTask<SimResult> CertificatesListAsync(SimRequest request)
    {
        var outcome = AuthenticateCertificateCall(request);
        if (outcome.Failure is not null)
        {
            return ValueTask.FromResult(outcome.Failure);
        }

        var clientId = CertificatePathParts(request)[1];
        var missing = FindIntegrationForCertificates(request, clientId, out var integration);
        if (missing is not null)
        {
            return ValueTask.FromResult(missing);
        }

        var principal = outcome.Principal!;
        var account = request.Account;
        var list = account.Certificates.Values
            .Where(c => c.ClientId == clientId && c.EntityId == principal.User.EntityId)
            .OrderBy(c => c.CreatedAt)
            .Select(c => new Dictionary<string, object?>
            {
                ["application"] = new Dictionary<string, object?>
                {
                    ["id"] = integration.ClientId,
                    ["name"] = integration.Name,
                    ["url"] = null,
                    ["application_id"] = integration.ApplicationId,
                },
                ["entity"] = new Dictionary<string, object?>
                {
                    ["id"] = c.EntityId.ToString(CultureInfo.InvariantCulture),
                    ["name"] = account.UsersById.GetValueOrDefault(c.EntityId)?.Name,
                    ["url"] = null,
                },
                ["role"] = new Dictionary<string, object?>
                {
                    ["id"] = c.RoleId.ToString(CultureInfo.InvariantCulture),
                    ["name"] = account.RolesById.GetValueOrDefault(c.RoleId)?.Name,
                    ["url"] = null,
                },
                ["created"] = Date(c.CreatedAt),
                ["valid_from"] = Date(c.ValidFrom),
                ["valid_until"] = Date(c.ValidUntil),
                ["revoked"] = c.Revoked,
                ["certificate_id"] = c.CertificateId,
                ["algorithm"] = c.Algorithm,
            })
            .ToList();
        return ValueTask.FromResult(SimResult.Json(200, list));
    }

    /// <summary>
    /// <c>POST …/clients/{clientId}/certificates</c>, JSON <c>{"fileContent":"-----BEGIN CERTIFICATE-----…","role":1000,"entity":"-5"}</c>:
    /// at most 5 active per record; a key is bound to one (record, entity, role) combination.
    /// </summary>
    private async ValueTask<SimResult> CertificatesCreateAsync(SimRequest request)
    {
        var outcome = AuthenticateCertificateCall(request);
        if (outcome.Failure is not null)
        {
            return outcome.Failure;
        }

        var clientId = CertificatePathParts(request)[1];
        var missing = FindIntegrationForCertificates(request, clientId, out _);
        if (missing is not null)
        {
            return missing;
        }

        SimResult Bad(string code, string detail)
        {
            Audit(request, false, code, outcome.Principal!.User, outcome.Principal.Role.Id, clientId, note: detail);
            return Responses.RestProblem(400, "Bad Request", code, detail);
        }

        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Http.Request.Body, cancellationToken: request.Http.RequestAborted);
        }
        catch (JsonException)
        {
            return Bad("INVALID_CONTENT", "The body must be JSON with fileContent, role and entity.");
        }

        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("fileContent", out var fileContent) || fileContent.ValueKind != JsonValueKind.String
            || !TryGetInt(body, "role", out var roleId) || !TryGetInt(body, "entity", out var entityId))
        {
            return Bad("INVALID_CONTENT", "The body must be JSON with fileContent, role and entity.");
        }

        var principal = outcome.Principal!;
        if (entityId != principal.User.EntityId)
        {
            Audit(request, false, "permission_denied", principal.User, principal.Role.Id, clientId, note: "Only one's own certificates can be managed.");
            return Responses.RestProblem(403, "Forbidden", "INSUFFICIENT_PERMISSION", "You can manage only your own certificates.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(fileContent.GetString()!);
        }
        catch (CryptographicException)
        {
            return Bad("INVALID_CERTIFICATE", "fileContent is not a PEM X.509 certificate.");
        }

        using (certificate)
        {
            try
            {
                var mapped = State.MapCertificate(request.Account, clientId, entityId, roleId, certificate, fileContent.GetString()!);
                request.Track(mapped);
                Audit(request, true, "Success", principal.User, roleId, clientId, mapped.CertificateId, "Certificate mapped.");
                return SimResult.Json(200, new Dictionary<string, object>
                {
                    ["entity_role_id"] = new Dictionary<string, object> { ["com"] = request.Account.Id, ["ent"] = entityId, ["rol"] = roleId },
                    ["application_id"] = 1,
                    ["certificate_id"] = mapped.CertificateId,
                    ["certificate"] = mapped.CertificatePem,
                    ["algorithm"] = mapped.Algorithm,
                    ["created_at"] = Date(mapped.CreatedAt),
                    ["valid_from"] = Date(mapped.ValidFrom),
                    ["valid_until"] = Date(mapped.ValidUntil),
                    ["invalidated"] = false,
                });
            }
            catch (CertificateRejectedException rejected)
            {
                return Bad(rejected.Code, rejected.Message);
            }
        }
    }

    /// <summary><c>POST …/clients/{clientId}/certificates/{certificateId}/revoke</c> → text <c>Successfully revoked</c>.</summary>
    private ValueTask<SimResult> CertificatesRevokeAsync(SimRequest request)
    {
        var outcome = AuthenticateCertificateCall(request);
        if (outcome.Failure is not null)
        {
            return ValueTask.FromResult(outcome.Failure);
        }

        var parts = CertificatePathParts(request);
        var clientId = parts[1];
        var certificateId = parts[3];
        var principal = outcome.Principal!;
        if (!request.Account.Certificates.TryGetValue(certificateId, out var certificate)
            || certificate.ClientId != clientId || certificate.EntityId != principal.User.EntityId)
        {
            Audit(request, false, "NONEXISTENT_ID", principal.User, principal.Role.Id, clientId);
            return ValueTask.FromResult(Responses.RestProblem(404, "Not Found", "NONEXISTENT_ID", "No such certificate."));
        }

        var revokedNow = State.RevokeCertificate(request.Account.Id, certificateId);
        Audit(request, true, "Success", principal.User, principal.Role.Id, clientId, certificateId,
            revokedNow ? "Certificate revoked." : "Certificate was already revoked.");
        return ValueTask.FromResult(SimResult.Text(200, "Successfully revoked"));
    }

    private static string Date(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool TryGetInt(JsonElement body, string name, out int value)
    {
        value = 0;
        if (!body.TryGetProperty(name, out var element))
        {
            return false;
        }

        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt32(out value),
            JsonValueKind.String => int.TryParse(element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }
}
