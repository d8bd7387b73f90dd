using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace KeyVault.TestServer;

/// <summary>The parts of a certificate policy the server acts on.</summary>
internal sealed class CertificatePolicyInfo
{
    public const string Pkcs12ContentType = "application/x-pkcs12";
    public const string PemContentType = "application/x-pem-file";

    public string KeyType { get; private init; } = "RSA";

    public bool IsEc => KeyType.StartsWith("EC", StringComparison.OrdinalIgnoreCase);

    public string Curve { get; private init; } = "P-256";

    public int KeySize { get; private init; } = 2048;

    public bool Exportable { get; private init; } = true;

    public bool ReuseKey { get; private init; }

    public string Subject { get; private init; } = "CN=DefaultPolicy";

    public List<string> DnsNames { get; } = [];

    public List<string> Emails { get; } = [];

    public List<string> Upns { get; } = [];

    public List<string> EnhancedKeyUsages { get; } = [];

    public X509KeyUsageFlags KeyUsage { get; private init; }

    public int ValidityMonths { get; private init; } = 12;

    public string ContentType { get; private init; } = Pkcs12ContentType;

    public bool IsPem => string.Equals(ContentType, PemContentType, StringComparison.OrdinalIgnoreCase);

    public static bool TryParse(JsonObject policy, out CertificatePolicyInfo info, out string error)
    {
        info = new CertificatePolicyInfo();
        error = string.Empty;
        try
        {
            var keyProps = policy["key_props"] as JsonObject;
            var x509 = policy["x509_props"] as JsonObject;
            var secretProps = policy["secret_props"] as JsonObject;
            var issuer = policy["issuer"] as JsonObject;

            var issuerName = issuer?["name"]?.GetValue<string>() ?? "Self";
            if (!string.Equals(issuerName, "Self", StringComparison.OrdinalIgnoreCase))
            {
                error = $"The test server issues only self-signed certificates (issuer 'Self'), not '{issuerName}'.";
                return false;
            }

            var keyType = keyProps?["kty"]?.GetValue<string>() ?? "RSA";
            if (keyType is not ("EC" or "EC-HSM" or "RSA" or "RSA-HSM"))
            {
                error = $"Unsupported key type '{keyType}'.";
                return false;
            }

            var curve = keyProps?["crv"]?.GetValue<string>() ?? "P-256";
            if (keyType.StartsWith("EC", StringComparison.Ordinal) && curve is not ("P-256" or "P-384" or "P-521"))
            {
                error = $"Unsupported curve '{curve}'.";
                return false;
            }

            var keySize = keyProps?["key_size"]?.GetValue<int>() ?? 2048;
            if (!keyType.StartsWith("EC", StringComparison.Ordinal) && keySize is not (2048 or 3072 or 4096))
            {
                error = $"Unsupported RSA key size {keySize}.";
                return false;
            }

            var subject = x509?["subject"]?.GetValue<string>();
            var sans = x509?["sans"] as JsonObject;
            var dnsNames = Strings(sans?["dns_names"]);
            var emails = Strings(sans?["emails"]);
            var upns = Strings(sans?["upns"]);
            if (string.IsNullOrEmpty(subject))
            {
                var first = dnsNames.Concat(emails).Concat(upns).FirstOrDefault();
                if (first is null)
                {
                    error = "The policy needs a subject or subject alternative names.";
                    return false;
                }

                subject = "CN=" + first;
            }

            var validityMonths = x509?["validity_months"]?.GetValue<int>() ?? 12;
            if (validityMonths is < 1 or > 1200)
            {
                error = "validity_months must be between 1 and 1200.";
                return false;
            }

            var contentType = secretProps?["contentType"]?.GetValue<string>() ?? Pkcs12ContentType;
            if (contentType is not (Pkcs12ContentType or PemContentType))
            {
                error = $"Unsupported secret content type '{contentType}'.";
                return false;
            }

            var isEc = keyType.StartsWith("EC", StringComparison.Ordinal);
            var usage = X509KeyUsageFlags.None;
            foreach (var name in Strings(x509?["key_usage"]))
            {
                usage |= name switch
                {
                    "digitalSignature" => X509KeyUsageFlags.DigitalSignature,
                    "nonRepudiation" => X509KeyUsageFlags.NonRepudiation,
                    "keyEncipherment" => X509KeyUsageFlags.KeyEncipherment,
                    "dataEncipherment" => X509KeyUsageFlags.DataEncipherment,
                    "keyAgreement" => X509KeyUsageFlags.KeyAgreement,
                    "keyCertSign" => X509KeyUsageFlags.KeyCertSign,
                    "cRLSign" => X509KeyUsageFlags.CrlSign,
                    "encipherOnly" => X509KeyUsageFlags.EncipherOnly,
                    "decipherOnly" => X509KeyUsageFlags.DecipherOnly,
                    _ => X509KeyUsageFlags.None,
                };
            }

            if (usage == X509KeyUsageFlags.None)
            {
                usage = isEc ? X509KeyUsageFlags.DigitalSignature : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment;
            }

            info = new CertificatePolicyInfo
            {
                KeyType = keyType,
                Curve = curve,
                KeySize = keySize,
                Exportable = keyProps?["exportable"]?.GetValue<bool>() ?? !keyType.EndsWith("-HSM", StringComparison.Ordinal),
                ReuseKey = keyProps?["reuse_key"]?.GetValue<bool>() ?? false,
                Subject = subject,
                ValidityMonths = validityMonths,
                ContentType = contentType,
                KeyUsage = usage,
            };
            info.DnsNames.AddRange(dnsNames);
            info.Emails.AddRange(emails);
            info.Upns.AddRange(upns);
            info.EnhancedKeyUsages.AddRange(Strings(x509?["ekus"]));
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            error = "The certificate policy is malformed.";
            return false;
        }
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array
            ? array.Select(item => item?.GetValue<string>()).OfType<string>().Where(x => x.Length > 0).ToList()
            : [];
}
