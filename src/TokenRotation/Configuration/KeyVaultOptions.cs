using System.ComponentModel.DataAnnotations;

namespace TokenRotation.Configuration;

/// <summary>The two vaults of architecture section 3, bound from the <c>KeyVault</c> section.</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    /// <summary>State vault: durable connection state, read and written only by this app and its operators.</summary>
    [Required(ErrorMessage = "KeyVault:StateVaultUri is required (the state vault's URI, e.g. https://kv-state-abc.vault.azure.net/).")]
    [Url(ErrorMessage = "KeyVault:StateVaultUri must be an absolute URL.")]
    public string StateVaultUri { get; set; } = "";

    /// <summary>Consumer vault: projections of the current credential, read by the systems that call NetSuite.</summary>
    [Required(ErrorMessage = "KeyVault:ConsumerVaultUri is required (the consumer vault's URI, e.g. https://kv-cons-abc.vault.azure.net/).")]
    [Url(ErrorMessage = "KeyVault:ConsumerVaultUri must be an absolute URL.")]
    public string ConsumerVaultUri { get; set; } = "";

    /// <summary>Client id of the user-assigned managed identity; empty uses DefaultAzureCredential (local development).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Client-side budget for secret writes per 10 seconds per vault (Key Vault allows 300).</summary>
    [Range(1, 300, ErrorMessage = "KeyVault:WritesPer10Seconds must be between 1 and 300.")]
    public int WritesPer10Seconds { get; set; } = 250;
}
