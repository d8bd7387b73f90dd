using NetSuite.Auth.KeyVault;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Demo;

/// <summary>
/// Reads the demo's consumer vault (a local folder the engine publishes to) for NetSuite.Auth.KeyVault, which in
/// Azure reads the same projection from Key Vault: same secret name, value, tags, expiry and version id.
/// </summary>
internal sealed class FolderCredentialReader(FileSecretFolder folder) : INetSuiteCredentialReader
{
    public string Location => folder.Folder;

    public async Task<ConsumerSecretVersion> ReadAsync(string secretName, CancellationToken cancellationToken = default)
    {
        FileSecretFolder.SecretVersion? version;
        try
        {
            version = await folder.GetAsync(secretName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // These messages name a path (and for bad JSON, a position), never a value.
            throw new NetSuiteCredentialException($"Could not read secret '{secretName}' from {Location}: {ex.Message}", ex);
        }

        return version is null
            ? throw new NetSuiteCredentialException($"Secret '{secretName}' is not in {Location}: the engine has not published a credential for this connection yet.")
            : new ConsumerSecretVersion(version.Version, version.Value, version.ExpiresOn, version.Tags);
    }
}
