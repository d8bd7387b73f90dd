using TokenRotation.Connections;

namespace TokenRotation.Stores;

public static class SecretNames
{
    public const string ConnectionPrefix = "conn-";
    public const string ConsumerPrefix = "netsuite-";
    public const string CertificatePrefix = "cert-";
    public const string ServiceKeyPrefix = "key-";

    public static string State(ConnectionName name) => ConnectionPrefix + name.Value;

    public static string Consumer(ConnectionName name) => ConsumerPrefix + name.Value;

    public static string Certificate(ConnectionName name) => CertificatePrefix + name.Value;

    /// <summary>The connection a state-vault secret name belongs to; null for the service's own secrets.</summary>
    public static ConnectionName? FromStateSecret(string secretName) =>
        secretName.StartsWith(ConnectionPrefix, StringComparison.OrdinalIgnoreCase)
        && ConnectionName.TryParse(secretName[ConnectionPrefix.Length..], out var name)
            ? name
            : null;
}
