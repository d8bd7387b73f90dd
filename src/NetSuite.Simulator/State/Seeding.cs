using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator;

/// <summary>A certificate the simulator generated and mapped, with its private key for the client side.</summary>
public sealed record GeneratedCertificate(SimCertificate Certificate, string Algorithm, string PrivateKeyPem, string CertificatePem)
{
    public string CertificateId => Certificate.CertificateId;

    /// <summary>A new key object from <see cref="PrivateKeyPem"/> (ECDsa for ES*, RSA for PS*/RS*).</summary>
    public AsymmetricAlgorithm CreatePrivateKey()
    {
        AsymmetricAlgorithm key = Algorithm.StartsWith("ES", StringComparison.Ordinal) ? ECDsa.Create() : RSA.Create();
        key.ImportFromPem(PrivateKeyPem);
        return key;
    }

    public override string ToString() => $"{Algorithm} certificate {CertificateId}";
}

/// <summary>Bulk seeding for the benchmark and memory figures.</summary>
public sealed record BulkSeedSpec
{
    public int Accounts { get; init; } = 1000;

    public int ConnectionsPerAccount { get; init; } = 10;

    /// <summary>Account ids are <c>{prefix}{index:D6}</c>; every fourth gets <c>_SB1</c>.</summary>
    public string AccountPrefix { get; init; } = "SIM";

    public int ConcurrencyLimit { get; init; } = 5;

    public bool IncludeTba { get; init; } = true;

    public bool IncludeOAuth2Confidential { get; init; } = true;

    public bool IncludeOAuth2Public { get; init; } = true;

    public bool IncludeClientCredentials { get; init; } = true;

    /// <summary>TBA users hold role 3 (two-factor required), so issuetoken needs their TOTP code.</summary>
    public bool TwoFactorForTba { get; init; } = true;
}

public enum SeededKind
{
    Tba,
    OAuth2Confidential,
    OAuth2Public,
    ClientCredentials,
}

/// <summary>One seeded connection: its own integration record, user and credential.</summary>
public sealed record SeededConnection(
    SeededKind Kind,
    string Account,
    string ClientId,
    string? ClientSecret,
    string Email,
    string Password,
    string TotpSecret,
    int EntityId,
    int RoleId,
    string? TokenId,
    string? TokenSecret,
    string? RefreshToken,
    string? CertificateId,
    string? PrivateKeyPem)
{
    /// <summary>Secrets stay out of logs.</summary>
    public override string ToString() => $"{Kind} {Account} {Email}";
}

public sealed record BulkSeedResult(int Accounts, int Connections, TimeSpan Elapsed, IReadOnlyList<SeededConnection> Seeded);

public sealed partial class SimulatorState
{
    /// <summary>Generates a key pair and certificate (ES256/384/512 or PS256/384/512), maps it, and returns the private key for the client.</summary>
    public GeneratedCertificate AddGeneratedCertificate(
        string accountId, string clientId, string email, int roleId, string algorithm = "ES256", TimeSpan? validity = null)
    {
        var (certificate, keyPem) = CreateSelfSignedCertificate(algorithm, Now, validity ?? TimeSpan.FromDays(365));
        using (certificate)
        {
            var mapped = AddCertificate(accountId, clientId, email, roleId, certificate);
            return new GeneratedCertificate(mapped, algorithm, keyPem, mapped.CertificatePem);
        }
    }

    /// <summary>A self-signed certificate for a client-assertion algorithm (EC P-256/384/521, RSA 3072 for PS*).</summary>
    public static (X509Certificate2 Certificate, string PrivateKeyPem) CreateSelfSignedCertificate(string algorithm, DateTimeOffset now, TimeSpan validity, int rsaKeySize = 3072)
    {
        var subject = "CN=NetSuite simulator client " + Guid.NewGuid().ToString("N")[..8];
        var notBefore = now.AddMinutes(-5);
        var notAfter = now + validity;
        switch (algorithm)
        {
            case "ES256" or "ES384" or "ES512":
            {
                var (curve, hash) = algorithm switch
                {
                    "ES256" => (ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256),
                    "ES384" => (ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384),
                    _ => (ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512),
                };
                using var key = ECDsa.Create(curve);
                var request = new CertificateRequest(subject, key, hash);
                return (request.CreateSelfSigned(notBefore, notAfter), key.ExportPkcs8PrivateKeyPem());
            }

            case "PS256" or "PS384" or "PS512" or "RS256":
            {
                var hash = algorithm[2..] switch { "384" => HashAlgorithmName.SHA384, "512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };
                using var key = RSA.Create(rsaKeySize);
                var request = new CertificateRequest(subject, key, hash, algorithm.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
                return (request.CreateSelfSigned(notBefore, notAfter), key.ExportPkcs8PrivateKeyPem());
            }

            default:
                throw new ArgumentException($"Unsupported algorithm {algorithm}.", nameof(algorithm));
        }
    }

    /// <summary>
    /// Seeds <see cref="BulkSeedSpec.Accounts"/> accounts with <see cref="BulkSeedSpec.ConnectionsPerAccount"/> connections
    /// each; every connection has its own integration record, user and credential (kinds in rotation).
    /// </summary>
    public BulkSeedResult SeedBulk(BulkSeedSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var kinds = new List<SeededKind>();
        if (spec.IncludeTba)
        {
            kinds.Add(SeededKind.Tba);
        }

        if (spec.IncludeOAuth2Confidential)
        {
            kinds.Add(SeededKind.OAuth2Confidential);
        }

        if (spec.IncludeOAuth2Public)
        {
            kinds.Add(SeededKind.OAuth2Public);
        }

        if (spec.IncludeClientCredentials)
        {
            kinds.Add(SeededKind.ClientCredentials);
        }

        if (kinds.Count == 0)
        {
            throw new ArgumentException("Choose at least one kind.", nameof(spec));
        }

        var stopwatch = Stopwatch.StartNew();
        var results = new ConcurrentBag<SeededConnection>();
        Parallel.For(0, spec.Accounts, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, index =>
        {
            var accountId = $"{spec.AccountPrefix}{index:D6}" + (index % 4 == 3 ? "_SB1" : "");
            var account = TryGetAccount(accountId, out var existing) ? existing : AddAccount(accountId, spec.ConcurrencyLimit);
            for (var c = 0; c < spec.ConnectionsPerAccount; c++)
            {
                results.Add(SeedConnection(account, kinds[c % kinds.Count], c, spec));
            }
        });

        var ordered = results.OrderBy(r => r.Account, StringComparer.Ordinal).ThenBy(r => r.Email, StringComparer.Ordinal).ToList();
        return new BulkSeedResult(spec.Accounts, ordered.Count, stopwatch.Elapsed, ordered);
    }

    private SeededConnection SeedConnection(SimAccount account, SeededKind kind, int index, BulkSeedSpec spec)
    {
        var email = $"conn{index:D3}.{Guid.NewGuid().ToString("N")[..6]}@{account.HostLabel}.example.com";
        var password = "Pw-" + NewHex(8);
        var totp = Totp.NewSecret();
        var roleId = kind == SeededKind.Tba && spec.TwoFactorForTba ? 3 : 1000;
        var user = AddUser(account.Id, email, password, totp, roleId);
        var integration = AddIntegration(account.Id, new IntegrationSpec
        {
            Name = $"{kind} connection {index}",
            PublicClient = kind == SeededKind.OAuth2Public,
            RedirectUris = ["https://localhost/netsuite/callback"],
        });
        string? tokenId = null, tokenSecret = null, refresh = null, certificateId = null, keyPem = null;
        switch (kind)
        {
            case SeededKind.Tba:
                var tba = IssueTbaToken(account.Id, integration.ConsumerKey, email, roleId);
                (tokenId, tokenSecret) = (tba.TokenId, tba.TokenSecret);
                break;
            case SeededKind.OAuth2Confidential or SeededKind.OAuth2Public:
                // Only the refresh token: the client refreshes for access tokens (halves the RSA signing at seed time).
                refresh = CreateRefreshToken(account, integration, user.EntityId, roleId, integration.Scopes, Now, null).Jwt;
                break;
            case SeededKind.ClientCredentials:
                var generated = AddGeneratedCertificate(account.Id, integration.ClientId, email, roleId);
                (certificateId, keyPem) = (generated.CertificateId, generated.PrivateKeyPem);
                break;
        }

        return new SeededConnection(
            kind, account.Id, integration.ClientId, integration.PublicClient ? null : integration.ClientSecret,
            email, password, totp, user.EntityId, roleId, tokenId, tokenSecret, refresh, certificateId, keyPem);
    }
}

/// <summary>The sample account that <c>dotnet run</c> seeds (fixed, documented values: not secrets).</summary>
public static class SampleSeed
{
    public const string AccountId = "1234567_SB1";
    public const string Email = "admin@example.com";
    public const string Password = "Simulator-Passw0rd!";

    /// <summary>The well-known RFC 4648 example secret <c>JBSWY3DPEHPK3PXP</c> ("Hello!").</summary>
    public const string TotpSecret = "JBSWY3DPEHPK3PXP";

    public const string ClientId = "5a1b1e0c0f2d4c3b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928";
    public const string ClientSecret = "0c3e5a7b9d1f2e4c6a8b0d2f4e6c8a0b1d3f5e7c9a2b4d6f8e0c2a4b6d8f0e2c";
    public const string PublicClientId = "7f6e5d4c3b2a19080706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100";
    public const string TokenId = "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc";
    public const string TokenSecret = "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295";

    public static readonly string[] RedirectUris =
    [
        "https://localhost:7071/api/oauth/callback",
        "http://localhost:7071/api/oauth/callback",
        "http://127.0.0.1:7071/api/oauth/callback",
    ];

    /// <summary>The administrator's roles: 3 (Administrator, two-factor) and 1000 (the integration role).</summary>
    public static readonly int[] RoleIds = [3, 1000];

    /// <summary>Adds the account, an administrator (roles 3 with two-factor, and 1000), a confidential and a public integration, and one TBA token.</summary>
    public static void Apply(SimulatorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.AddAccount(AccountId, concurrencyLimit: 5, companyName: "Sample Company (Sandbox 1)");
        state.AddUser(AccountId, Email, Password, TotpSecret, RoleIds);
        state.AddIntegration(AccountId, new IntegrationSpec
        {
            Name = "Sample Confidential Integration",
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            RedirectUris = RedirectUris,
        });
        state.AddIntegration(AccountId, new IntegrationSpec
        {
            Name = "Sample Public Client",
            ClientId = PublicClientId,
            PublicClient = true,
            RedirectUris = RedirectUris,
        });
        state.SetConsentUser(AccountId, Email, 1000);
        state.IssueTbaToken(AccountId, ClientId, Email, 1000, "Sample token", TokenId, TokenSecret);
    }
}
