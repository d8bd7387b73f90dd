using Azure.Core;

namespace TokenRotation.Keys;

/// <summary>Options of <see cref="KeyVaultSignClient"/> (transport and retry, as every Azure SDK client).</summary>
internal sealed class KeyVaultSignClientOptions : ClientOptions
{
    /// <summary>The Key Vault REST API version used for <c>sign</c>.</summary>
    public string ApiVersion { get; set; } = "7.5";
}
