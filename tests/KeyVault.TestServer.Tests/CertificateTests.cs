using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;

namespace KeyVault.TestServer.Tests;

public sealed class CertificateTests
{
    private static CertificatePolicy EcPolicy(bool exportable, CertificateContentType? contentType = null) =>
        new("Self", "CN=nstoken client credentials")
        {
            KeyType = CertificateKeyType.Ec,
            KeyCurveName = CertificateKeyCurveName.P256,
            Exportable = exportable,
            ContentType = contentType ?? CertificateContentType.Pkcs12,
            ValidityInMonths = 24,
        };

    [Fact]
    public async Task Create_with_an_ec_p256_policy_completes_at_once_and_get_returns_the_public_certificate()
    {
        var (kv, time) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateCertificateClient();

        var operation = await client.StartCreateCertificateAsync("cert-a", EcPolicy(exportable: false), tags: new Dictionary<string, string> { ["kind"] = "cert" });
        var created = (await operation.WaitForCompletionAsync()).Value;

        Assert.True(operation.HasCompleted);
        Assert.Equal("completed", operation.Properties.Status);
        Assert.NotEmpty(operation.Properties.Csr);
        Assert.Equal(CertificateKeyType.Ec, created.Policy.KeyType);
        Assert.Equal(CertificateKeyCurveName.P256, created.Policy.KeyCurveName);
        Assert.False(created.Policy.Exportable);
        Assert.Equal("cert", created.Properties.Tags["kind"]);
        Assert.Equal(new Uri(kv.VaultUri, $"keys/cert-a/{created.Properties.Version}"), created.KeyId);
        Assert.Equal(new Uri(kv.VaultUri, $"secrets/cert-a/{created.Properties.Version}"), created.SecretId);

        using var x509 = X509CertificateLoader.LoadCertificate(created.Cer);
        Assert.Equal("CN=nstoken client credentials", x509.Subject);
        Assert.Equal(x509.GetCertHash(), created.Properties.X509Thumbprint);
        using var publicKey = x509.GetECDsaPublicKey();
        Assert.NotNull(publicKey);
        Assert.Equal(256, publicKey.KeySize);
        Assert.Equal(time.GetUtcNow(), created.Properties.NotBefore);
        Assert.Equal(time.GetUtcNow().AddMonths(24), created.Properties.ExpiresOn);
        Assert.Equal(1, kv.Counters.CertificateCreates);
    }

    [Fact]
    public async Task Each_create_adds_a_version_that_can_be_fetched_and_listed()
    {
        var (kv, time) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateCertificateClient();

        var first = (await (await client.StartCreateCertificateAsync("cert-b", EcPolicy(false))).WaitForCompletionAsync()).Value;
        time.Advance(TimeSpan.FromDays(300));
        var second = (await (await client.StartCreateCertificateAsync("cert-b", EcPolicy(false))).WaitForCompletionAsync()).Value;

        var fetchedFirst = (await client.GetCertificateVersionAsync("cert-b", first.Properties.Version)).Value;
        var latest = (await client.GetCertificateAsync("cert-b")).Value;
        var versions = new List<CertificateProperties>();
        await foreach (var p in client.GetPropertiesOfCertificateVersionsAsync("cert-b"))
        {
            versions.Add(p);
        }

        Assert.NotEqual(first.Properties.Version, second.Properties.Version);
        Assert.Equal(first.Cer, fetchedFirst.Cer);
        Assert.Equal(second.Properties.Version, latest.Properties.Version);
        Assert.NotEqual(first.Cer, second.Cer);
        Assert.Equal(
            new[] { first.Properties.Version, second.Properties.Version }.Order(),
            versions.Select(v => v.Version).Order());
        Assert.Equal(TestVault.Start.AddDays(300), latest.Properties.NotBefore);
    }

    [Fact]
    public async Task Exportable_certificate_secret_is_a_pkcs12_with_the_private_key_and_download_works()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var certificates = kv.CreateCertificateClient();
        var secrets = kv.CreateSecretClient();
        var created = (await (await certificates.StartCreateCertificateAsync("cert-c", EcPolicy(exportable: true))).WaitForCompletionAsync()).Value;

        var secret = (await secrets.GetSecretAsync("cert-c", created.Properties.Version)).Value;
        using var pfx = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secret.Value), null);
        using var downloaded = (await certificates.DownloadCertificateAsync("cert-c", created.Properties.Version)).Value;

        Assert.Equal("application/x-pkcs12", secret.Properties.ContentType);
        Assert.True(secret.Properties.Managed);
        Assert.Equal(created.KeyId, secret.Properties.KeyId);
        Assert.True(pfx.HasPrivateKey);
        Assert.Equal(created.Cer, pfx.RawData);
        Assert.True(downloaded.HasPrivateKey);
        using var key = downloaded.GetECDsaPrivateKey();
        Assert.NotNull(key);
    }

    [Fact]
    public async Task Non_exportable_certificate_secret_holds_only_the_public_certificate()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var certificates = kv.CreateCertificateClient();
        var secrets = kv.CreateSecretClient();
        var created = (await (await certificates.StartCreateCertificateAsync("cert-d", EcPolicy(exportable: false))).WaitForCompletionAsync()).Value;

        var secret = (await secrets.GetSecretAsync("cert-d")).Value;
        using var pfx = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secret.Value), null);

        Assert.False(pfx.HasPrivateKey);
        Assert.Equal(created.Cer, pfx.RawData);
    }

    [Fact]
    public async Task Pem_policy_stores_the_key_and_certificate_as_pem()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var certificates = kv.CreateCertificateClient();
        var secrets = kv.CreateSecretClient();
        var created = (await (await certificates.StartCreateCertificateAsync("cert-e", EcPolicy(true, CertificateContentType.Pem))).WaitForCompletionAsync()).Value;

        var secret = (await secrets.GetSecretAsync("cert-e")).Value;
        using var fromPem = X509Certificate2.CreateFromPem(secret.Value, secret.Value);

        Assert.Equal("application/x-pem-file", secret.Properties.ContentType);
        Assert.Contains("PRIVATE KEY", PemLabels(secret.Value));
        Assert.True(fromPem.HasPrivateKey);
        Assert.Equal(created.Cer, fromPem.RawData);
    }

    [Fact]
    public async Task A_pkcs12_certificate_secret_can_be_read_as_pem_with_outContentType()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var created = (await (await kv.CreateCertificateClient().StartCreateCertificateAsync("cert-l", EcPolicy(exportable: true))).WaitForCompletionAsync()).Value;
        var secrets = kv.CreateSecretClient();

        var pem = (await secrets.GetSecretAsync("cert-l", created.Properties.Version, SecretContentType.Pem)).Value;
        using var fromPem = X509Certificate2.CreateFromPem(pem.Value, pem.Value);

        Assert.Equal("application/x-pem-file", pem.Properties.ContentType);
        Assert.True(fromPem.HasPrivateKey);
        Assert.Equal(created.Cer, fromPem.RawData);
    }

    [Fact]
    public async Task A_certificate_managed_secret_cannot_be_set_or_deleted_and_a_plain_secret_name_cannot_become_a_certificate()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var certificates = kv.CreateCertificateClient();
        var secrets = kv.CreateSecretClient(new SecretClientOptions { Retry = { MaxRetries = 0 } });
        await (await certificates.StartCreateCertificateAsync("cert-f", EcPolicy(false))).WaitForCompletionAsync();
        await secrets.SetSecretAsync("plain", "v");

        var set = await Assert.ThrowsAsync<RequestFailedException>(() => secrets.SetSecretAsync("cert-f", "x"));
        var delete = await Assert.ThrowsAsync<RequestFailedException>(() => secrets.StartDeleteSecretAsync("cert-f"));
        var create = await Assert.ThrowsAsync<RequestFailedException>(() => certificates.StartCreateCertificateAsync("plain", EcPolicy(false)));

        Assert.Equal(409, set.Status);
        Assert.Equal(403, delete.Status);
        Assert.Equal(409, create.Status);
    }

    [Fact]
    public async Task Remote_es256_sign_with_a_non_exportable_key_verifies_with_the_certificate_public_key()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var created = (await (await kv.CreateCertificateClient().StartCreateCertificateAsync("cert-g", EcPolicy(exportable: false))).WaitForCompletionAsync()).Value;
        var digest = SHA256.HashData("header.payload"u8);

        var (status, body) = await SignAsync(kv, created.KeyId, "ES256", digest);

        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(created.KeyId.ToString(), json.RootElement.GetProperty("kid").GetString());
        var signature = Base64Url.DecodeFromChars(json.RootElement.GetProperty("value").GetString());
        using var x509 = X509CertificateLoader.LoadCertificate(created.Cer);
        using var publicKey = x509.GetECDsaPublicKey();
        Assert.NotNull(publicKey);
        Assert.Equal(64, signature.Length);
        Assert.True(publicKey.VerifyHash(digest, signature));
        Assert.False(publicKey.VerifyHash(SHA256.HashData("tampered"u8), signature));
        Assert.Equal(1, kv.Counters.Signs);
    }

    [Fact]
    public async Task Remote_ps256_sign_with_an_rsa_certificate_verifies()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var policy = new CertificatePolicy("Self", "CN=rsa") { KeyType = CertificateKeyType.Rsa, KeySize = 2048, Exportable = false };
        var created = (await (await kv.CreateCertificateClient().StartCreateCertificateAsync("cert-h", policy)).WaitForCompletionAsync()).Value;
        var digest = SHA256.HashData("assertion"u8);

        var (status, body) = await SignAsync(kv, created.KeyId, "PS256", digest);

        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(body);
        var signature = Base64Url.DecodeFromChars(json.RootElement.GetProperty("value").GetString());
        using var x509 = X509CertificateLoader.LoadCertificate(created.Cer);
        using var rsa = x509.GetRSAPublicKey();
        Assert.NotNull(rsa);
        Assert.True(rsa.VerifyHash(digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    [Fact]
    public async Task Sign_rejects_a_wrong_digest_length_a_mismatched_algorithm_and_an_unknown_key()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var created = (await (await kv.CreateCertificateClient().StartCreateCertificateAsync("cert-i", EcPolicy(false))).WaitForCompletionAsync()).Value;

        var (shortDigest, _) = await SignAsync(kv, created.KeyId, "ES256", new byte[20]);
        var (wrongAlg, _) = await SignAsync(kv, created.KeyId, "PS256", new byte[32]);
        var (unknown, unknownBody) = await SignAsync(kv, new Uri(kv.VaultUri, "keys/nope/0123456789abcdef0123456789abcdef"), "ES256", new byte[32]);

        Assert.Equal(400, shortDigest);
        Assert.Equal(400, wrongAlg);
        Assert.Equal(404, unknown);
        Assert.Contains("KeyNotFound", unknownBody, StringComparison.Ordinal);
        Assert.Equal(0, kv.Counters.Signs);
    }

    [Fact]
    public async Task Get_key_returns_the_public_jwk_of_the_certificate_key()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var created = (await (await kv.CreateCertificateClient().StartCreateCertificateAsync("cert-j", EcPolicy(false))).WaitForCompletionAsync()).Value;
        using var raw = kv.CreateHttpClient();

        using var json = JsonDocument.Parse(await raw.GetStringAsync($"keys/cert-j/{created.Properties.Version}?api-version=7.6"));

        var key = json.RootElement.GetProperty("key");
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        using var x509 = X509CertificateLoader.LoadCertificate(created.Cer);
        using var publicKey = x509.GetECDsaPublicKey();
        Assert.NotNull(publicKey);
        Assert.Equal(publicKey.ExportParameters(false).Q.X, Base64Url.DecodeFromChars(key.GetProperty("x").GetString()));
        Assert.False(json.RootElement.GetProperty("attributes").GetProperty("exportable").GetBoolean());
    }

    [Fact]
    public async Task With_separate_key_versions_the_kid_names_a_key_version_that_signs_and_the_certificate_version_does_not()
    {
        var (kv, _) = await TestVault.StartAsync(o => o.SeparateKeyVersions = true);
        await using var kvScope = kv;
        var client = kv.CreateCertificateClient();

        var created = (await (await client.StartCreateCertificateAsync("cert-sep", EcPolicy(exportable: false))).WaitForCompletionAsync()).Value;
        var keyVersion = created.KeyId.Segments[^1];
        var digest = SHA256.HashData("x"u8.ToArray());

        Assert.NotEqual(created.Properties.Version, keyVersion);
        Assert.Equal(200, (await SignAsync(kv, created.KeyId, "ES256", digest)).Status);
        Assert.Equal(404, (await SignAsync(kv, new Uri(kv.VaultUri, $"keys/cert-sep/{created.Properties.Version}"), "ES256", digest)).Status);
    }

    [Fact]
    public async Task A_policy_for_another_issuer_is_refused()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateCertificateClient(new CertificateClientOptions { Retry = { MaxRetries = 0 } });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            client.StartCreateCertificateAsync("cert-k", new CertificatePolicy("DigiCert", "CN=x")));

        Assert.Equal(400, error.Status);
        Assert.Contains("self-signed", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(int Status, string Body)> SignAsync(KeyVaultTestServer kv, Uri keyId, string alg, byte[] digest)
    {
        // What the engine does for remote signing: a small Azure.Core pipeline (the Keys SDK is not served).
        var options = kv.ConfigureTransport(new SignClientOptions());
        var pipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(kv.Credential, "https://vault.azure.net/.default"));
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri(keyId + "/sign?api-version=7.6"));
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(new { alg, value = Base64Url.EncodeToString(digest) }));

        await pipeline.SendAsync(message, CancellationToken.None);

        return (message.Response.Status, message.Response.Content.ToString());
    }

    private sealed class SignClientOptions : ClientOptions;

    private static List<string> PemLabels(string pem)
    {
        var labels = new List<string>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            labels.Add(rest[fields.Label].ToString());
            rest = rest[fields.Location.End..];
        }

        return labels;
    }
}
