using Azure;
using Azure.Security.KeyVault.Secrets;

namespace TokenRotation.Stores;

/// <summary>Secret operations and answers shared by the two Key Vault stores.</summary>
internal static class KeyVaultErrors
{
    public static InvalidOperationException NameBlocked(string secretName, RequestFailedException inner) =>
        new($"Secret {secretName} cannot be written: Key Vault answered 409 ({inner.ErrorCode}). A soft-deleted secret keeps its " +
            "name blocked while purge protection is on; recover it, or use another name.", inner);

    /// <summary>A failed property update as an error that names the secret and Key Vault's answer (never a value).</summary>
    public static InvalidOperationException UpdateFailed(string secretName, RequestFailedException inner) =>
        new($"The tags of secret {secretName} could not be updated: Key Vault answered {inner.Status} ({inner.ErrorCode ?? "no error code"}).", inner);

    /// <summary>
    /// Properties addressing the LATEST version of a secret without knowing its id. The list operation returns no
    /// version, and reading the value to learn it would cost a read; the service updates the latest version when
    /// the version segment is empty (<c>PATCH /secrets/{name}/</c>, what the other Key Vault SDKs send when no version
    /// is given). The .NET SDK only insists that <see cref="SecretProperties.Version"/> is not null, so the id is
    /// given with an empty last segment, which it parses as version "".
    /// </summary>
    public static SecretProperties LatestVersionProperties(Uri vaultUri, string secretName)
    {
        var properties = new SecretProperties(new Uri(vaultUri, $"/secrets/{Uri.EscapeDataString(secretName)}//"));
        if (properties.Version is null || properties.Name != secretName)
        {
            throw new InvalidOperationException($"Could not address the latest version of secret {secretName}.");
        }

        return properties;
    }

    public static async Task<bool> DeleteAsync(SecretClient client, VaultWriter writer, string secretName, CancellationToken cancellationToken)
    {
        DeleteSecretOperation operation;
        try
        {
            operation = await writer.WriteAsync(token => client.StartDeleteSecretAsync(secretName, token), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }

        // Soft delete takes a moment to show; wait so that IsDeleted and Recover see it.
        await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public static async Task RecoverAsync(SecretClient client, VaultWriter writer, string secretName, CancellationToken cancellationToken)
    {
        RecoverDeletedSecretOperation operation;
        try
        {
            operation = await writer.WriteAsync(token => client.StartRecoverDeletedSecretAsync(secretName, token), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InvalidOperationException($"Secret {secretName} is not deleted (or was purged); there is nothing to recover.", ex);
        }

        await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<bool> IsDeletedAsync(SecretClient client, string secretName, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetDeletedSecretAsync(secretName, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }
}
