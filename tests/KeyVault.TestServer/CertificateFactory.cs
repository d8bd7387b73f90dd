using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace KeyVault.TestServer;

/// <summary>Makes certificates at run time: the server's TLS certificate and self-signed vault certificates.</summary>
internal static class CertificateFactory
{
    /// <summary>TLS certificate for 127.0.0.1/localhost, made fresh at every start (no committed key).</summary>
    public static X509Certificate2 CreateTlsCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Key Vault test server", key, HashAlgorithmName.SHA256);
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddIpAddress(IPAddress.Loopback);
        sans.AddDnsName("localhost");
        request.CertificateExtensions.Add(sans.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));

        // TLS runs on the real clock, whatever the test's fake clock says.
        var now = TimeProvider.System.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        // Round-trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    public static (X509Certificate2 Certificate, AsymmetricAlgorithm Key, byte[] Csr) CreateSelfSigned(
        CertificatePolicyInfo policy, AsymmetricAlgorithm? reuseKey, DateTimeOffset now)
    {
        var key = reuseKey is not null ? CloneKey(reuseKey) : CreateKey(policy);
        try
        {
            var subject = new X500DistinguishedName(policy.Subject);
            var request = key switch
            {
                ECDsa ec => new CertificateRequest(subject, ec, HashFor(policy.Curve)),
                RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                _ => throw new InvalidOperationException("Unsupported key type."),
            };

            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(policy.KeyUsage, false));
            if (policy.EnhancedKeyUsages.Count > 0)
            {
                var ekus = new OidCollection();
                foreach (var eku in policy.EnhancedKeyUsages)
                {
                    ekus.Add(new Oid(eku));
                }

                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ekus, false));
            }

            if (policy.DnsNames.Count > 0 || policy.Emails.Count > 0 || policy.Upns.Count > 0)
            {
                var sans = new SubjectAlternativeNameBuilder();
                policy.DnsNames.ForEach(sans.AddDnsName);
                policy.Emails.ForEach(sans.AddEmailAddress);
                policy.Upns.ForEach(sans.AddUserPrincipalName);
                request.CertificateExtensions.Add(sans.Build());
            }

            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var csr = request.CreateSigningRequest();

            var notBefore = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
            var notAfter = notBefore.AddMonths(policy.ValidityMonths);
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7F;
            serial[0] |= 0x01;

            var signed = key switch
            {
                ECDsa ec => request.Create(subject, X509SignatureGenerator.CreateForECDsa(ec), notBefore, notAfter, serial),
                RSA rsa => request.Create(subject, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial),
                _ => throw new InvalidOperationException("Unsupported key type."),
            };

            using (signed)
            {
                return (X509CertificateLoader.LoadCertificate(signed.RawData), key, csr);
            }
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The backing secret's value: PKCS#12 (base64) or PEM; with the private key only when exportable.</summary>
    public static string SecretValue(X509Certificate2 certificate, AsymmetricAlgorithm key, bool exportable, bool pem)
    {
        if (pem)
        {
            var sb = new StringBuilder();
            if (exportable)
            {
                sb.Append(PemEncoding.Write("PRIVATE KEY", key.ExportPkcs8PrivateKey())).Append('\n');
            }

            sb.Append(PemEncoding.Write("CERTIFICATE", certificate.RawData)).Append('\n');
            return sb.ToString();
        }

        if (!exportable)
        {
            return Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12));
        }

        using var withKey = key switch
        {
            ECDsa ec => certificate.CopyWithPrivateKey(ec),
            RSA rsa => certificate.CopyWithPrivateKey(rsa),
            _ => throw new InvalidOperationException("Unsupported key type."),
        };
        return Convert.ToBase64String(withKey.Export(X509ContentType.Pkcs12));
    }

    private static AsymmetricAlgorithm CreateKey(CertificatePolicyInfo policy) => policy.IsEc
        ? ECDsa.Create(policy.Curve switch
        {
            "P-256" => ECCurve.NamedCurves.nistP256,
            "P-384" => ECCurve.NamedCurves.nistP384,
            "P-521" => ECCurve.NamedCurves.nistP521,
            _ => throw new ArgumentException($"Unsupported curve {policy.Curve}."),
        })
        : RSA.Create(policy.KeySize);

    private static AsymmetricAlgorithm CloneKey(AsymmetricAlgorithm key)
    {
        switch (key)
        {
            case ECDsa ec:
                var ecCopy = ECDsa.Create();
                ecCopy.ImportParameters(ec.ExportParameters(true));
                return ecCopy;
            case RSA rsa:
                var rsaCopy = RSA.Create();
                rsaCopy.ImportParameters(rsa.ExportParameters(true));
                return rsaCopy;
            default:
                throw new InvalidOperationException("Unsupported key type.");
        }
    }

    private static HashAlgorithmName HashFor(string curve) => curve switch
    {
        "P-384" => HashAlgorithmName.SHA384,
        "P-521" => HashAlgorithmName.SHA512,
        _ => HashAlgorithmName.SHA256,
    };

}
