namespace NetSuite.Auth.KeyVault;

/// <summary>
/// Where a connection's published credential (the consumer projection) is read from. The library uses
/// <see cref="KeyVaultCredentialReader"/> unless given another; <see cref="NetSuiteCredentialSource"/> applies the same
/// caching, refusal and resend rules to any reader.
/// </summary>
public interface INetSuiteCredentialReader
{
    /// <summary>Where the secrets are, for messages (e.g. the vault's URI); never a secret.</summary>
    string Location { get; }

    /// <summary>Reads the latest version of a secret. Called only when the source's cache rules say so.</summary>
    /// <param name="secretName">The secret, e.g. <c>netsuite-erp</c>.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The latest version.</returns>
    /// <exception cref="NetSuiteCredentialException">The secret is missing or cannot be read; the message names the secret and the reason, never the value.</exception>
    Task<ConsumerSecretVersion> ReadAsync(string secretName, CancellationToken cancellationToken = default);
}

/// <summary>One version of a consumer secret as stored, before it is understood.</summary>
/// <remarks><see cref="ToString"/> never shows the value.</remarks>
public sealed class ConsumerSecretVersion
{
    /// <summary>Creates the version.</summary>
    /// <param name="version">The version id; a refresh or rotation makes a new one.</param>
    /// <param name="value">The secret value (an access token or a TBA set's JSON).</param>
    /// <param name="expiresOn">The secret's expiry (an access token's), or null.</param>
    /// <param name="tags">The secret's tags (<c>kind</c>, <c>account</c>, <c>schemaVersion</c>).</param>
    public ConsumerSecretVersion(string version, string value, DateTimeOffset? expiresOn, IReadOnlyDictionary<string, string>? tags)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(value);
        Version = version;
        Value = value;
        ExpiresOn = expiresOn;
        Tags = tags ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>The version id.</summary>
    public string Version { get; }

    /// <summary>The secret value.</summary>
    public string Value { get; }

    /// <summary>The expiry, or null.</summary>
    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>The tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>Describes the version without its value.</summary>
    /// <returns>Version and expiry.</returns>
    public override string ToString() => $"ConsumerSecretVersion {{ Version = {Version}, ExpiresOn = {ExpiresOn?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "-"} }}";
}
