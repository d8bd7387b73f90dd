using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using static KeyVault.TestServer.KeyVaultResponses;

namespace KeyVault.TestServer;

/// <summary>Serves the Key Vault REST API: auth challenge, faults, throttling, then the operation.</summary>
internal sealed class KeyVaultHandler
{
    private const int MaxPageSize = 25;
    private const int MaxTags = 15;
    private const string DefaultApiVersion = "7.6";

    private readonly KeyVaultTestServerOptions _options;
    private readonly KeyVaultState _state;
    private readonly KeyVaultCounters _counters;
    private readonly KeyVaultFaults _faults;
    private readonly KeyVaultThrottle _throttle;
    private readonly ConcurrentQueue<KeyVaultRequestRecord> _requests;
    private readonly KeyVaultResponses _json;
    private readonly TimeProvider _time;

    public KeyVaultHandler(KeyVaultTestServerOptions options, KeyVaultState state, KeyVaultCounters counters, KeyVaultFaults faults,
        KeyVaultThrottle throttle, ConcurrentQueue<KeyVaultRequestRecord> requests)
    {
        _options = options;
        _state = state;
        _counters = counters;
        _faults = faults;
        _throttle = throttle;
        _requests = requests;
        _time = options.TimeProvider;
        _json = new KeyVaultResponses(options, () => VaultBase);
    }

    /// <summary>Scheme, host and port, without a trailing slash.</summary>
    public string VaultBase { get; set; } = "https://127.0.0.1";

    public async Task HandleAsync(HttpContext context)
    {
        _counters.RecordRequest();
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var route = Route.Parse(request.Method, path);

        if (route.Operation == KeyVaultOperation.Unknown && path.StartsWith("/_testserver/counters", StringComparison.OrdinalIgnoreCase))
        {
            await WriteAsync(context, new KvResponse(200, JsonSerializer.SerializeToNode(_counters.Snapshot())));
            return;
        }

        if (!HasBearer(request))
        {
            _counters.RecordChallenge();
            var challenge = Error(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
            challenge = challenge with
            {
                Headers = [new("WWW-Authenticate", $"Bearer authorization=\"https://login.microsoftonline.com/{_options.TenantId}\", resource=\"{_options.Resource}\"")],
            };
            await WriteAsync(context, challenge);
            Record(request, route, 401, KeyVaultRequestOutcome.Challenged);
            return;
        }

        _state.PurgeExpired(_time.GetUtcNow());

        var latency = _faults.LatencyFor(route.Operation);
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, context.RequestAborted);
        }

        var fault = _faults.TakeMatching(route.Operation, route.Name, route.Version);
        if (fault is { Mode: KeyVaultFaultMode.FailBeforeProcessing or KeyVaultFaultMode.AbortBeforeProcessing })
        {
            _counters.RecordFault();
            Record(request, route, fault.StatusCode, KeyVaultRequestOutcome.FaultInjected);
            if (fault.Mode == KeyVaultFaultMode.AbortBeforeProcessing)
            {
                context.Abort();
                return;
            }

            await WriteAsync(context, FaultResponse(fault));
            return;
        }

        if (route.Operation != KeyVaultOperation.Unknown)
        {
            var budget = KeyVaultOperationInfo.BudgetOf(route.Operation);
            if (!_throttle.TryAcquire(budget, out var resetsIn))
            {
                _counters.RecordThrottled(budget);
                _throttle.RaiseThrottled(new KeyVaultThrottleEvent(budget, route.Operation, route.Name, resetsIn));
                Record(request, route, 429, KeyVaultRequestOutcome.Throttled);
                await WriteAsync(context, Throttled(budget, resetsIn));
                return;
            }
        }

        var response = await ProcessAsync(context, route);
        _counters.RecordProcessed(route.Operation, route.Name, response.Status);

        if (fault is { Mode: KeyVaultFaultMode.FailAfterProcessing or KeyVaultFaultMode.AbortAfterProcessing })
        {
            _counters.RecordFault();
            Record(request, route, fault.StatusCode, KeyVaultRequestOutcome.FaultInjected);
            if (fault.Mode == KeyVaultFaultMode.AbortAfterProcessing)
            {
                context.Abort();
                return;
            }

            await WriteAsync(context, FaultResponse(fault));
            return;
        }

        Record(request, route, response.Status, KeyVaultRequestOutcome.Processed);
        await WriteAsync(context, response);
    }

    private static bool HasBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } value
        && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && value.Length > "Bearer ".Length;

    private void Record(HttpRequest request, Route route, int status, KeyVaultRequestOutcome outcome)
    {
        if (_options.RecordRequests)
        {
            _requests.Enqueue(new KeyVaultRequestRecord(_time.GetUtcNow(), request.Method, request.Path.Value ?? "/", route.Operation, route.Name, status, outcome));
        }
    }

    private static KvResponse FaultResponse(KeyVaultFault fault)
    {
        var response = Error(fault.StatusCode, fault.StatusCode == 503 ? "ServiceUnavailable" : "InjectedFault",
            "Fault injected by the Key Vault test server.");
        return fault.RetryAfterMilliseconds is { } ms
            ? response with { Headers = [new("retry-after-ms", Invariant(ms))] }
            : response;
    }

    private KvResponse Throttled(KeyVaultBudget budget, TimeSpan resetsIn)
    {
        var limit = budget == KeyVaultBudget.Write ? _throttle.WriteBudget : _throttle.ReadBudget;
        var seconds = Math.Max(1, (long)Math.Ceiling(resetsIn.TotalSeconds));
        var ms = _throttle.RetryAfterMilliseconds ?? Math.Max(1, (long)Math.Ceiling(resetsIn.TotalMilliseconds));
        var response = Error(429, "Throttled",
            $"Request was not processed because too many requests were received. Reason: a vault allows {limit} "
            + $"{(budget == KeyVaultBudget.Write ? "write" : "read")} transactions per {_throttle.WindowLength.TotalSeconds:0.###} seconds.");
        return response with { Headers = [new("Retry-After", Invariant(seconds)), new("retry-after-ms", Invariant(ms))] };
    }

    private static async Task WriteAsync(HttpContext context, KvResponse response)
    {
        var http = context.Response;
        http.StatusCode = response.Status;
        http.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        if (response.Headers is not null)
        {
            foreach (var (name, value) in response.Headers)
            {
                http.Headers[name] = value;
            }
        }

        if (response.Body is not null)
        {
            http.ContentType = "application/json; charset=utf-8";
            await http.WriteAsync(response.Body.ToJsonString(), context.RequestAborted);
        }
    }

    private async Task<KvResponse> ProcessAsync(HttpContext context, Route route)
    {
        if (route.Name is not null && !KeyVaultNames.IsValid(route.Name))
        {
            return InvalidName(route.Name);
        }

        JsonObject? body = null;
        if (route.Operation is KeyVaultOperation.SetSecret or KeyVaultOperation.UpdateSecretProperties
            or KeyVaultOperation.CreateCertificate or KeyVaultOperation.Sign)
        {
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
            }
            catch (JsonException)
            {
                return Error(400, "BadParameter", "The request body is not valid JSON.");
            }

            if (body is null)
            {
                return Error(400, "BadParameter", "The request body must be a JSON object.");
            }
        }

        var query = context.Request.Query;
        try
        {
            return route.Operation switch
            {
                KeyVaultOperation.SetSecret => SetSecret(route.Name!, body!),
                KeyVaultOperation.GetSecret => GetSecret(route.Name!, route.Version, query["outContentType"].ToString()),
                KeyVaultOperation.ListSecrets => ListSecrets(context.Request),
                KeyVaultOperation.ListSecretVersions => ListSecretVersions(route.Name!, context.Request),
                KeyVaultOperation.UpdateSecretProperties => UpdateSecret(route.Name!, route.Version, body!),
                KeyVaultOperation.DeleteSecret => DeleteSecret(route.Name!),
                KeyVaultOperation.GetDeletedSecret => GetDeletedSecret(route.Name!),
                KeyVaultOperation.ListDeletedSecrets => ListDeletedSecrets(context.Request),
                KeyVaultOperation.RecoverDeletedSecret => RecoverSecret(route.Name!),
                KeyVaultOperation.PurgeDeletedSecret => PurgeSecret(route.Name!),
                KeyVaultOperation.CreateCertificate => CreateCertificate(route.Name!, body!, context.Request),
                KeyVaultOperation.GetCertificateOperation => GetCertificateOperation(route.Name!),
                KeyVaultOperation.GetCertificate => GetCertificate(route.Name!, route.Version),
                KeyVaultOperation.ListCertificates => ListCertificates(context.Request),
                KeyVaultOperation.ListCertificateVersions => ListCertificateVersions(route.Name!, context.Request),
                KeyVaultOperation.GetCertificatePolicy => GetCertificatePolicy(route.Name!),
                KeyVaultOperation.GetKey => GetKey(route.Name!, route.Version),
                KeyVaultOperation.Sign => Sign(route.Name!, route.Version, body!),
                _ => Error(501, "NotImplemented",
                    $"The Key Vault test server does not serve {context.Request.Method} {context.Request.Path.Value}."),
            };
        }
        catch (BadParameterException e)
        {
            return Error(400, "BadParameter", e.Message);
        }
    }

    // ---------------------------------------------------------------- secrets

    private KvResponse SetSecret(string name, JsonObject body)
    {
        if (body["value"] is not JsonValue valueNode || !valueNode.TryGetValue(out string? value) || value is null)
        {
            return Error(400, "BadParameter", "The property 'value' is required and must be a string.");
        }

        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > _options.MaxValueBytes)
        {
            return Error(400, "BadParameter",
                $"The secret value is {bytes} bytes; Key Vault accepts at most {_options.MaxValueBytes} bytes (25 KB). The secret was not stored.");
        }

        var contentType = ReadOptionalString(body, "contentType");
        var attributes = ReadAttributes(body);
        var tags = ReadTags(body);
        var now = _time.GetUtcNow();

        lock (_state.Gate)
        {
            if (_state.Deleted.TryGetValue(name, out var deleted))
            {
                return Error(409, "Conflict",
                    $"Secret {deleted.Name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.",
                    "ObjectIsDeletedButRecoverable");
            }

            if (_state.Active.TryGetValue(name, out var existing) && existing.Managed)
            {
                return Error(409, "Conflict",
                    $"Secret {existing.Name} is managed by the certificate of the same name and cannot be set directly.");
            }

            var version = new SecretVersionData
            {
                Version = KeyVaultState.NewVersion(),
                Value = value,
                ContentType = contentType,
                Tags = tags ?? new Dictionary<string, string>(StringComparer.Ordinal),
                Enabled = attributes.Enabled ?? true,
                NotBefore = attributes.NotBefore,
                ExpiresOn = attributes.ExpiresOn,
                Created = now,
                Updated = now,
            };
            var secret = _state.GetOrAdd(name);
            secret.Versions.Add(version);
            return new KvResponse(200, _json.Secret(secret.Name, version, includeValue: true));
        }
    }

    private KvResponse GetSecret(string name, string? version, string outContentType)
    {
        lock (_state.Gate)
        {
            if (!_state.Active.TryGetValue(name, out var secret))
            {
                return SecretNotFound(name);
            }

            var v = version is null ? secret.Latest : secret.Versions.FirstOrDefault(x => string.Equals(x.Version, version, StringComparison.OrdinalIgnoreCase));
            if (v is null)
            {
                return SecretNotFound(name, version);
            }

            if (!v.Enabled)
            {
                return Error(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
            }

            if (!string.IsNullOrEmpty(outContentType))
            {
                if (!string.Equals(outContentType, CertificatePolicyInfo.PemContentType, StringComparison.OrdinalIgnoreCase))
                {
                    return Error(400, "BadParameter", $"Unsupported outContentType '{outContentType}'.");
                }

                if (v.Managed && !string.Equals(v.ContentType, CertificatePolicyInfo.PemContentType, StringComparison.OrdinalIgnoreCase)
                    && _state.Certificates.TryGetValue(name, out var cert)
                    && cert.Versions.FirstOrDefault(c => c.Version == v.Version) is { } certVersion)
                {
                    var pem = CertificateFactory.SecretValue(certVersion.Certificate, certVersion.Key, certVersion.Exportable, pem: true);
                    return new KvResponse(200, _json.Secret(secret.Name, v, includeValue: true, valueOverride: pem,
                        contentTypeOverride: CertificatePolicyInfo.PemContentType));
                }
            }

            return new KvResponse(200, _json.Secret(secret.Name, v, includeValue: true));
        }
    }

    private KvResponse ListSecrets(HttpRequest request)
    {
        lock (_state.Gate)
        {
            var items = _state.Active.Values
                .Where(s => s.Latest is not null)
                .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
                .Select(s => (Key: s.Name, Item: (Func<JsonObject>)(() => _json.Secret(s.Name, s.Latest!, includeValue: false, versionedId: false))))
                .ToList();
            return Page(items, request, "/secrets");
        }
    }

    private KvResponse ListSecretVersions(string name, HttpRequest request)
    {
        lock (_state.Gate)
        {
            if (!_state.Active.TryGetValue(name, out var secret))
            {
                return SecretNotFound(name);
            }

            var items = secret.Versions
                .Select((v, i) => (Key: i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture),
                    Item: (Func<JsonObject>)(() => _json.Secret(secret.Name, v, includeValue: false))))
                .ToList();
            return Page(items, request, $"/secrets/{secret.Name}/versions");
        }
    }

    private KvResponse UpdateSecret(string name, string? version, JsonObject body)
    {
        var contentType = ReadOptionalString(body, "contentType");
        var hasContentType = body.ContainsKey("contentType");
        var attributes = ReadAttributes(body);
        var tags = ReadTags(body);
        var now = _time.GetUtcNow();

        lock (_state.Gate)
        {
            if (!_state.Active.TryGetValue(name, out var secret))
            {
                return SecretNotFound(name);
            }

            var v = string.IsNullOrEmpty(version) ? secret.Latest : secret.Versions.FirstOrDefault(x => string.Equals(x.Version, version, StringComparison.OrdinalIgnoreCase));
            if (v is null)
            {
                return SecretNotFound(name, version);
            }

            if (hasContentType)
            {
                v.ContentType = contentType;
            }

            if (attributes.Enabled is { } enabled)
            {
                v.Enabled = enabled;
            }

            if (attributes.HasNotBefore)
            {
                v.NotBefore = attributes.NotBefore;
            }

            if (attributes.HasExpiresOn)
            {
                v.ExpiresOn = attributes.ExpiresOn;
            }

            if (tags is not null)
            {
                v.Tags = tags;
            }

            v.Updated = now;
            return new KvResponse(200, _json.Secret(secret.Name, v, includeValue: false));
        }
    }

    private KvResponse DeleteSecret(string name)
    {
        lock (_state.Gate)
        {
            if (!_state.Active.TryGetValue(name, out var secret) || secret.Latest is not { } latest)
            {
                return SecretNotFound(name);
            }

            if (secret.Managed)
            {
                return Error(403, "Forbidden",
                    $"Secret {secret.Name} is managed by the certificate of the same name; the test server does not delete certificates.");
            }

            _state.Active.Remove(name);
            secret.DeletedOn = _time.GetUtcNow();
            _state.Deleted[secret.Name] = secret;
            return new KvResponse(200, _json.DeletedSecret(secret, latest, versionedId: true));
        }
    }

    private KvResponse GetDeletedSecret(string name)
    {
        lock (_state.Gate)
        {
            if (!_state.Deleted.TryGetValue(name, out var secret) || secret.Latest is not { } latest)
            {
                return Error(404, "SecretNotFound", $"Deleted Secret not found: {name}");
            }

            return new KvResponse(200, _json.DeletedSecret(secret, latest, versionedId: true));
        }
    }

    private KvResponse ListDeletedSecrets(HttpRequest request)
    {
        lock (_state.Gate)
        {
            var items = _state.Deleted.Values
                .Where(s => s.Latest is not null)
                .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
                .Select(s => (Key: s.Name, Item: (Func<JsonObject>)(() => _json.DeletedSecret(s, s.Latest!, versionedId: false))))
                .ToList();
            return Page(items, request, "/deletedsecrets");
        }
    }

    private KvResponse RecoverSecret(string name)
    {
        lock (_state.Gate)
        {
            if (!_state.Deleted.TryGetValue(name, out var secret) || secret.Latest is not { } latest)
            {
                return Error(404, "SecretNotFound", $"Deleted Secret not found: {name}");
            }

            if (_state.Active.ContainsKey(name))
            {
                return Error(409, "Conflict", $"Secret {secret.Name} already exists and cannot be recovered over.");
            }

            _state.Deleted.Remove(name);
            secret.DeletedOn = null;
            _state.Active[secret.Name] = secret;
            return new KvResponse(200, _json.Secret(secret.Name, latest, includeValue: false));
        }
    }

    private KvResponse PurgeSecret(string name)
    {
        lock (_state.Gate)
        {
            if (!_state.Deleted.TryGetValue(name, out var secret))
            {
                return Error(404, "SecretNotFound", $"Deleted Secret not found: {name}");
            }

            if (_options.PurgeProtection)
            {
                return Error(403, "Forbidden",
                    $"Operation \"purge\" is not allowed for secret {secret.Name} because purge protection is enabled for this vault. "
                    + "Key Vault purges it by itself when the retention period has passed.");
            }

            _state.Deleted.Remove(name);
            return new KvResponse(204);
        }
    }

    // ---------------------------------------------------------------- certificates and keys

    private KvResponse CreateCertificate(string name, JsonObject body, HttpRequest request)
    {
        var policy = body["policy"] as JsonObject;
        CertificateData? existing;
        AsymmetricAlgorithm? previousKey;
        lock (_state.Gate)
        {
            _state.Certificates.TryGetValue(name, out existing);
            if (_state.Deleted.ContainsKey(name))
            {
                return Error(409, "Conflict",
                    $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.",
                    "ObjectIsDeletedButRecoverable");
            }

            if (existing is null && _state.Active.TryGetValue(name, out var secret) && !secret.Managed)
            {
                return Error(409, "Conflict", $"A secret named {secret.Name} already exists; a certificate cannot take its name.");
            }

            policy ??= existing?.Policy.DeepClone() as JsonObject;
            previousKey = existing?.Latest?.Key;
        }

        if (policy is null)
        {
            return Error(400, "BadParameter", "The certificate policy is required for a new certificate.");
        }

        if (!CertificatePolicyInfo.TryParse(policy, out var info, out var error))
        {
            return Error(400, "BadParameter", error);
        }

        var attributes = ReadAttributes(body);
        var tags = ReadTags(body);
        // With reuse_key the factory copies the previous key's parameters; the stored key stays with its version.
        return StoreNewCertificate(name, policy, info, info.ReuseKey ? previousKey : null, attributes, tags, _time.GetUtcNow(), request);
    }

    private KvResponse StoreNewCertificate(string name, JsonObject policy, CertificatePolicyInfo info, AsymmetricAlgorithm? reuseKey,
        SecretAttributesInput attributes, Dictionary<string, string>? tags, DateTimeOffset now, HttpRequest request)
    {
        var (certificate, key, csr) = CertificateFactory.CreateSelfSigned(info, reuseKey, now);
        var version = KeyVaultState.NewVersion();
        var keyVersion = _options.SeparateKeyVersions ? KeyVaultState.NewVersion() : version;
        var secretValue = CertificateFactory.SecretValue(certificate, key, info.Exportable, info.IsPem);

        lock (_state.Gate)
        {
            if (!_state.Certificates.TryGetValue(name, out var cert))
            {
                cert = new CertificateData { Name = name, Policy = new JsonObject(), PolicyCreated = now };
                _state.Certificates[name] = cert;
            }

            cert.Policy = NormalizePolicy(cert, policy, info, now);
            cert.PolicyUpdated = now;
            cert.RequestId = Guid.NewGuid().ToString("N");
            cert.Csr = csr;
            var certVersion = new CertificateVersionData
            {
                Version = version,
                KeyVersion = keyVersion,
                Certificate = certificate,
                Key = key,
                Exportable = info.Exportable,
                Tags = tags ?? new Dictionary<string, string>(StringComparer.Ordinal),
                Enabled = attributes.Enabled ?? true,
                Created = now,
                Updated = now,
            };
            cert.Versions.Add(certVersion);

            var secret = _state.GetOrAdd(cert.Name);
            secret.Versions.Add(new SecretVersionData
            {
                Version = version,
                Value = secretValue,
                ContentType = info.ContentType,
                Enabled = certVersion.Enabled,
                NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime()),
                ExpiresOn = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()),
                Created = now,
                Updated = now,
                Managed = true,
                KeyId = _json.KeyId(cert.Name, keyVersion),
            });

            var apiVersion = ApiVersion(request);
            return new KvResponse(202, _json.CertificateOperation(cert),
                [new("Location", $"{VaultBase}/certificates/{cert.Name}/pending?api-version={apiVersion}"), new("Retry-After", "0")]);
        }
    }

    private JsonObject NormalizePolicy(CertificateData cert, JsonObject given, CertificatePolicyInfo info, DateTimeOffset now)
    {
        var policy = (JsonObject)given.DeepClone();
        policy["id"] = $"{VaultBase}/certificates/{cert.Name}/policy";
        var keyProps = policy["key_props"] as JsonObject ?? [];
        keyProps["exportable"] = info.Exportable;
        keyProps["kty"] = info.KeyType;
        if (info.IsEc)
        {
            keyProps["crv"] = info.Curve;
            keyProps.Remove("key_size");
        }
        else
        {
            keyProps["key_size"] = info.KeySize;
        }

        keyProps["reuse_key"] = info.ReuseKey;
        policy["key_props"] = keyProps;
        var secretProps = policy["secret_props"] as JsonObject ?? [];
        secretProps["contentType"] = info.ContentType;
        policy["secret_props"] = secretProps;
        var x509 = policy["x509_props"] as JsonObject ?? [];
        x509["subject"] = info.Subject;
        x509["validity_months"] = info.ValidityMonths;
        policy["x509_props"] = x509;
        policy["issuer"] ??= new JsonObject { ["name"] = "Self" };
        policy["attributes"] = new JsonObject
        {
            ["enabled"] = true,
            ["created"] = Unix(cert.PolicyCreated),
            ["updated"] = Unix(now),
        };
        return policy;
    }

    private KvResponse GetCertificateOperation(string name)
    {
        lock (_state.Gate)
        {
            return _state.Certificates.TryGetValue(name, out var cert)
                ? new KvResponse(200, _json.CertificateOperation(cert))
                : Error(404, "CertificateOperationNotFound", $"Pending certificate not found: {name}");
        }
    }

    private KvResponse GetCertificate(string name, string? version)
    {
        lock (_state.Gate)
        {
            if (!_state.Certificates.TryGetValue(name, out var cert) || cert.Latest is not { } latest)
            {
                return CertificateNotFound(name);
            }

            var v = version is null ? latest : cert.Versions.FirstOrDefault(x => string.Equals(x.Version, version, StringComparison.OrdinalIgnoreCase));
            return v is null
                ? CertificateNotFound(name, version)
                : new KvResponse(200, _json.Certificate(cert, v, includePolicy: version is null));
        }
    }

    private KvResponse ListCertificates(HttpRequest request)
    {
        lock (_state.Gate)
        {
            var items = _state.Certificates.Values
                .Where(c => c.Latest is not null)
                .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .Select(c => (Key: c.Name, Item: (Func<JsonObject>)(() => _json.CertificateItem(c, c.Latest!, versionedId: false))))
                .ToList();
            return Page(items, request, "/certificates");
        }
    }

    private KvResponse ListCertificateVersions(string name, HttpRequest request)
    {
        lock (_state.Gate)
        {
            if (!_state.Certificates.TryGetValue(name, out var cert))
            {
                return CertificateNotFound(name);
            }

            var items = cert.Versions
                .Select((v, i) => (Key: i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture),
                    Item: (Func<JsonObject>)(() => _json.CertificateItem(cert, v, versionedId: true))))
                .ToList();
            return Page(items, request, $"/certificates/{cert.Name}/versions");
        }
    }

    private KvResponse GetCertificatePolicy(string name)
    {
        lock (_state.Gate)
        {
            return _state.Certificates.TryGetValue(name, out var cert)
                ? new KvResponse(200, cert.Policy.DeepClone())
                : CertificateNotFound(name);
        }
    }

    private CertificateVersionData? FindKey(string name, string? version, out CertificateData? cert)
    {
        if (!_state.Certificates.TryGetValue(name, out cert))
        {
            return null;
        }

        return string.IsNullOrEmpty(version)
            ? cert.Latest
            : cert.Versions.FirstOrDefault(x => string.Equals(x.KeyVersion, version, StringComparison.OrdinalIgnoreCase));
    }

    private KvResponse GetKey(string name, string? version)
    {
        lock (_state.Gate)
        {
            var v = FindKey(name, version, out var cert);
            if (v is null || cert is null)
            {
                return KeyNotFound(name, version);
            }

            var jwk = new JsonObject { ["kid"] = _json.KeyId(cert.Name, v.KeyVersion) };
            switch (v.Key)
            {
                case ECDsa ec:
                    var ecp = ec.ExportParameters(false);
                    jwk["kty"] = "EC";
                    jwk["key_ops"] = new JsonArray("sign", "verify");
                    jwk["crv"] = ecp.Curve.Oid.FriendlyName switch
                    {
                        "nistP384" or "ECDSA_P384" => "P-384",
                        "nistP521" or "ECDSA_P521" => "P-521",
                        _ => "P-256",
                    };
                    jwk["x"] = B64Url(ecp.Q.X ?? []);
                    jwk["y"] = B64Url(ecp.Q.Y ?? []);
                    break;
                case RSA rsa:
                    var rp = rsa.ExportParameters(false);
                    jwk["kty"] = "RSA";
                    jwk["key_ops"] = new JsonArray("sign", "verify", "encrypt", "decrypt", "wrapKey", "unwrapKey");
                    jwk["n"] = B64Url(rp.Modulus ?? []);
                    jwk["e"] = B64Url(rp.Exponent ?? []);
                    break;
            }

            var attributes = _json.CertificateAttributes(v);
            attributes["exportable"] = v.Exportable;
            return new KvResponse(200, new JsonObject { ["key"] = jwk, ["attributes"] = attributes, ["managed"] = true });
        }
    }

    private KvResponse Sign(string name, string? version, JsonObject body)
    {
        var alg = ReadOptionalString(body, "alg") ?? throw new BadParameterException("The property 'alg' is required.");
        var digestText = ReadOptionalString(body, "value") ?? throw new BadParameterException("The property 'value' is required.");
        byte[] digest;
        try
        {
            digest = Base64Url.DecodeFromChars(digestText);
        }
        catch (FormatException)
        {
            throw new BadParameterException("The property 'value' must be base64url.");
        }

        lock (_state.Gate)
        {
            var v = FindKey(name, version, out var cert);
            if (v is null || cert is null)
            {
                return KeyNotFound(name, version);
            }

            if (!v.Enabled)
            {
                return Error(403, "Forbidden", "Operation sign is not allowed on a disabled key.", "KeyDisabled");
            }

            var (hash, length, ec, padding) = alg switch
            {
                "ES256" => (HashAlgorithmName.SHA256, 32, true, null),
                "ES384" => (HashAlgorithmName.SHA384, 48, true, null),
                "ES512" => (HashAlgorithmName.SHA512, 64, true, null),
                "RS256" => (HashAlgorithmName.SHA256, 32, false, RSASignaturePadding.Pkcs1),
                "RS384" => (HashAlgorithmName.SHA384, 48, false, RSASignaturePadding.Pkcs1),
                "RS512" => (HashAlgorithmName.SHA512, 64, false, RSASignaturePadding.Pkcs1),
                "PS256" => (HashAlgorithmName.SHA256, 32, false, RSASignaturePadding.Pss),
                "PS384" => (HashAlgorithmName.SHA384, 48, false, RSASignaturePadding.Pss),
                "PS512" => (HashAlgorithmName.SHA512, 64, false, RSASignaturePadding.Pss),
                _ => throw new BadParameterException($"Unsupported signature algorithm '{alg}'."),
            };

            if (digest.Length != length)
            {
                throw new BadParameterException($"The digest for {alg} must be {length} bytes, not {digest.Length}.");
            }

            var signature = (v.Key, ec) switch
            {
                (ECDsa key, true) => key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
                (RSA key, false) when padding is not null => key.SignHash(digest, hash, padding),
                _ => throw new BadParameterException($"Algorithm {alg} does not fit the key type of {cert.Name}."),
            };

            return new KvResponse(200, new JsonObject { ["kid"] = _json.KeyId(cert.Name, v.KeyVersion), ["value"] = B64Url(signature) });
        }
    }

    // ---------------------------------------------------------------- helpers

    private KvResponse Page(List<(string Key, Func<JsonObject> Item)> items, HttpRequest request, string path)
    {
        var pageSize = Math.Clamp(_options.PageSize, 1, MaxPageSize);
        if (request.Query.TryGetValue("maxresults", out var maxText) && !string.IsNullOrEmpty(maxText))
        {
            if (!int.TryParse(maxText, System.Globalization.CultureInfo.InvariantCulture, out var max) || max is < 1 or > MaxPageSize)
            {
                return Error(400, "BadParameter", $"maxresults must be a number from 1 to {MaxPageSize}.");
            }

            pageSize = max;
        }

        IEnumerable<(string Key, Func<JsonObject> Item)> remaining = items;
        if (request.Query.TryGetValue("$skiptoken", out var token) && !string.IsNullOrEmpty(token))
        {
            string after;
            try
            {
                after = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.ToString()));
            }
            catch (FormatException)
            {
                return Error(400, "BadParameter", "The $skiptoken is not valid.");
            }

            remaining = items.Where(i => StringComparer.OrdinalIgnoreCase.Compare(i.Key, after) > 0);
        }

        var page = remaining.Take(pageSize + 1).ToList();
        var value = new JsonArray();
        foreach (var (_, item) in page.Take(pageSize))
        {
            value.Add(item());
        }

        string? nextLink = null;
        if (page.Count > pageSize)
        {
            var last = B64Url(Encoding.UTF8.GetBytes(page[pageSize - 1].Key));
            nextLink = $"{VaultBase}{path}?api-version={ApiVersion(request)}&$skiptoken={last}&maxresults={pageSize}";
        }

        return new KvResponse(200, new JsonObject { ["value"] = value, ["nextLink"] = nextLink });
    }

    private static string ApiVersion(HttpRequest request) =>
        request.Query.TryGetValue("api-version", out var v) && !string.IsNullOrEmpty(v) ? Uri.EscapeDataString(v.ToString()) : DefaultApiVersion;

    private static string? ReadOptionalString(JsonObject body, string property)
    {
        var node = body[property];
        if (node is null)
        {
            return null;
        }

        return node is JsonValue value && value.TryGetValue(out string? s)
            ? s
            : throw new BadParameterException($"The property '{property}' must be a string.");
    }

    private static SecretAttributesInput ReadAttributes(JsonObject body)
    {
        if (body["attributes"] is not JsonObject attributes)
        {
            return new SecretAttributesInput(null, false, null, false, null);
        }

        bool? enabled = attributes["enabled"] is JsonValue e && e.TryGetValue(out bool b) ? b : null;
        var hasNbf = attributes.ContainsKey("nbf");
        var hasExp = attributes.ContainsKey("exp");
        return new SecretAttributesInput(enabled, hasNbf, ReadTime(attributes, "nbf"), hasExp, ReadTime(attributes, "exp"));
    }

    private static DateTimeOffset? ReadTime(JsonObject attributes, string property)
    {
        var node = attributes[property];
        if (node is null)
        {
            return null;
        }

        return node is JsonValue value && value.TryGetValue(out long seconds)
            ? FromUnix(seconds)
            : node is JsonValue dv && dv.TryGetValue(out double d)
                ? FromUnix((long)d)
                : throw new BadParameterException($"The attribute '{property}' must be a number of seconds since 1970.");
    }

    private static Dictionary<string, string>? ReadTags(JsonObject body)
    {
        if (body["tags"] is not JsonObject tags)
        {
            return null;
        }

        if (tags.Count > MaxTags)
        {
            throw new BadParameterException($"A secret can have at most {MaxTags} tags, not {tags.Count}.");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, node) in tags)
        {
            if (node is not JsonValue value || !value.TryGetValue(out string? s) || s is null)
            {
                throw new BadParameterException($"The tag '{key}' must have a string value.");
            }

            if (key.Length > 512 || s.Length > 256)
            {
                throw new BadParameterException($"The tag '{key}' is too long (names up to 512, values up to 256 characters).");
            }

            result[key] = s;
        }

        return result;
    }

    private sealed class BadParameterException(string message) : Exception(message);
}

internal sealed record SecretAttributesInput(bool? Enabled, bool HasNotBefore, DateTimeOffset? NotBefore, bool HasExpiresOn, DateTimeOffset? ExpiresOn);
