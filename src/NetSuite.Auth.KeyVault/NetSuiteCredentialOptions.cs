using Azure.Core;
using Azure.Security.KeyVault.Secrets;

namespace NetSuite.Auth.KeyVault;

/// <summary>Where a consumer reads its NetSuite credential and how long it keeps it.</summary>
public sealed class NetSuiteCredentialOptions
{
    /// <summary>The prefix the service gives consumer secrets: connection <c>erp</c> is secret <c>netsuite-erp</c>.</summary>
    public const string SecretPrefix = "netsuite-";

    /// <summary>The consumer vault, e.g. <c>https://kv-consumers.vault.azure.net/</c>.</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>The connection's name in the service (<c>erp</c>); the secret read is <c>netsuite-{name}</c>.</summary>
    public string? ConnectionName { get; set; }

    /// <summary>The secret's name when it does not follow <c>netsuite-{connection}</c>; wins over <see cref="ConnectionName"/>.</summary>
    public string? SecretName { get; set; }

    /// <summary>The identity that reads the vault (it needs Key Vault Secrets User on it); <c>DefaultAzureCredential</c> when null.</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>Options of the <see cref="SecretClient"/> the library creates (transport, retries); defaults when null.</summary>
    public SecretClientOptions? SecretClientOptions { get; set; }

    /// <summary>
    /// How long before an access token's expiry the secret is read again. The service publishes the next token well
    /// before (15 minutes by default), so the read finds it. Default 5 minutes.
    /// </summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a credential without an expiry (a TBA set) is used before the secret is read again. A rotation keeps
    /// the previous token working for its grace period (48 hours by default), so this only bounds how long after a
    /// rotation the consumer moves to the new token. Default 1 hour.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The shortest time between two reads: after an authentication failure that a read did not cure, and while an
    /// access token near its expiry has no successor yet. Keeps a broken credential from costing a read per request.
    /// Default 30 seconds.
    /// </summary>
    public TimeSpan MinimumRereadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock; the one registered in the container, or the system clock, when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>The secret to read: <see cref="SecretName"/>, else <c>netsuite-</c> + <see cref="ConnectionName"/>.</summary>
    /// <returns>The secret name.</returns>
    /// <exception cref="ArgumentException">Neither is set.</exception>
    public string ResolveSecretName() =>
        !string.IsNullOrWhiteSpace(SecretName) ? SecretName
        : !string.IsNullOrWhiteSpace(ConnectionName) ? SecretPrefix + ConnectionName
        : throw new ArgumentException("Set NetSuiteCredentialOptions.ConnectionName (the connection's name, e.g. \"erp\") or SecretName.");

    /// <summary>Checks every value and says which one is wrong.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range; the message names it.</exception>
    public void Validate() => Validate(requireVault: true);

    /// <summary>As <see cref="Validate()"/>; <paramref name="requireVault"/> false when another reader than Key Vault is used.</summary>
    /// <param name="requireVault">Whether <see cref="VaultUri"/> must be set.</param>
    /// <exception cref="ArgumentException">A value is missing or out of range; the message names it.</exception>
    public void Validate(bool requireVault)
    {
        if (requireVault && (VaultUri is null || !VaultUri.IsAbsoluteUri))
        {
            throw new ArgumentException("NetSuiteCredentialOptions.VaultUri must be the consumer vault's absolute URI, e.g. https://kv-consumers.vault.azure.net/.");
        }

        var secretName = ResolveSecretName();
        if (secretName.Length > 127 || !secretName.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"'{secretName}' is not a Key Vault secret name (1-127 letters, digits and hyphens).");
        }

        Positive(RefreshBeforeExpiry, nameof(RefreshBeforeExpiry), allowZero: true);
        Positive(CacheDuration, nameof(CacheDuration), allowZero: false);
        Positive(MinimumRereadInterval, nameof(MinimumRereadInterval), allowZero: true);
    }

    private static void Positive(TimeSpan value, string name, bool allowZero)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            throw new ArgumentException($"NetSuiteCredentialOptions.{name} must be {(allowZero ? "zero or more" : "more than zero")}; it is {value}.");
        }
    }
}
