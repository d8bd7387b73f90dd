namespace KeyVault.TestServer;

/// <summary>A request mapped to a Key Vault operation.</summary>
internal sealed record Route(KeyVaultOperation Operation, string? Name = null, string? Version = null)
{
    public static Route Parse(string method, string path)
    {
        var s = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (s.Length == 0)
        {
            return new Route(KeyVaultOperation.Unknown);
        }

        var get = HttpMethodIs(method, "GET");
        var put = HttpMethodIs(method, "PUT");
        var patch = HttpMethodIs(method, "PATCH");
        var post = HttpMethodIs(method, "POST");
        var delete = HttpMethodIs(method, "DELETE");
        var collection = s[0].ToLowerInvariant();

        return (collection, s.Length) switch
        {
            ("secrets", 1) when get => new Route(KeyVaultOperation.ListSecrets),
            ("secrets", 2) when put => new Route(KeyVaultOperation.SetSecret, s[1]),
            ("secrets", 2) when get => new Route(KeyVaultOperation.GetSecret, s[1]),
            ("secrets", 2) when patch => new Route(KeyVaultOperation.UpdateSecretProperties, s[1]),
            ("secrets", 2) when delete => new Route(KeyVaultOperation.DeleteSecret, s[1]),
            ("secrets", 3) when get && Is(s[2], "versions") => new Route(KeyVaultOperation.ListSecretVersions, s[1]),
            ("secrets", 3) when get => new Route(KeyVaultOperation.GetSecret, s[1], s[2]),
            ("secrets", 3) when patch => new Route(KeyVaultOperation.UpdateSecretProperties, s[1], s[2]),
            ("deletedsecrets", 1) when get => new Route(KeyVaultOperation.ListDeletedSecrets),
            ("deletedsecrets", 2) when get => new Route(KeyVaultOperation.GetDeletedSecret, s[1]),
            ("deletedsecrets", 2) when delete => new Route(KeyVaultOperation.PurgeDeletedSecret, s[1]),
            ("deletedsecrets", 3) when post && Is(s[2], "recover") => new Route(KeyVaultOperation.RecoverDeletedSecret, s[1]),
            ("certificates", 1) when get => new Route(KeyVaultOperation.ListCertificates),
            ("certificates", 2) when get => new Route(KeyVaultOperation.GetCertificate, s[1]),
            ("certificates", 3) when post && Is(s[2], "create") => new Route(KeyVaultOperation.CreateCertificate, s[1]),
            ("certificates", 3) when get && Is(s[2], "pending") => new Route(KeyVaultOperation.GetCertificateOperation, s[1]),
            ("certificates", 3) when get && Is(s[2], "versions") => new Route(KeyVaultOperation.ListCertificateVersions, s[1]),
            ("certificates", 3) when get && Is(s[2], "policy") => new Route(KeyVaultOperation.GetCertificatePolicy, s[1]),
            ("certificates", 3) when get => new Route(KeyVaultOperation.GetCertificate, s[1], s[2]),
            ("keys", 2) when get => new Route(KeyVaultOperation.GetKey, s[1]),
            ("keys", 3) when post && Is(s[2], "sign") => new Route(KeyVaultOperation.Sign, s[1]),
            ("keys", 3) when get => new Route(KeyVaultOperation.GetKey, s[1], s[2]),
            ("keys", 4) when post && Is(s[3], "sign") => new Route(KeyVaultOperation.Sign, s[1], s[2]),
            _ => new Route(KeyVaultOperation.Unknown),
        };
    }

    private static bool Is(string segment, string literal) => string.Equals(segment, literal, StringComparison.OrdinalIgnoreCase);

    private static bool HttpMethodIs(string method, string expected) => string.Equals(method, expected, StringComparison.OrdinalIgnoreCase);
}
