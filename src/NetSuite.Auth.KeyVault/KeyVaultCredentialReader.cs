using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

namespace NetSuite.Auth.KeyVault;

/// <summary>Reads consumer secrets from the consumer vault with a <see cref="SecretClient"/> (the library's default reader).</summary>
public sealed class KeyVaultCredentialReader : INetSuiteCredentialReader
{
    private readonly SecretClient _client;

    /// <summary>Creates the reader on a given client.</summary>
    /// <param name="client">Client of the consumer vault.</param>
    public KeyVaultCredentialReader(SecretClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>The vault's URI.</summary>
    public string Location => _client.VaultUri.ToString();

    /// <inheritdoc />
    public async Task<ConsumerSecretVersion> ReadAsync(string secretName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretName);
        KeyVaultSecret secret;
        try
        {
            secret = (await _client.GetSecretAsync(secretName, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new NetSuiteCredentialException(
                $"Secret '{secretName}' is not in {_client.VaultUri}: the service has not published a credential for this connection yet, or the name is wrong.", ex);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            throw new NetSuiteCredentialException(
                $"Reading secret '{secretName}' from {_client.VaultUri} was forbidden: give this identity the Key Vault Secrets User role on the consumer vault.", ex);
        }
        catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException or HttpRequestException)
        {
            throw new NetSuiteCredentialException($"Could not read secret '{secretName}' from {_client.VaultUri}: {Describe(ex)}", ex);
        }

        return new ConsumerSecretVersion(
            secret.Properties.Version ?? string.Empty,
            secret.Value ?? string.Empty,
            secret.Properties.ExpiresOn,
            new Dictionary<string, string>(secret.Properties.Tags, StringComparer.Ordinal));
    }

    internal static SecretClient CreateClient(NetSuiteCredentialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new SecretClient(options.VaultUri!, options.Credential ?? new DefaultAzureCredential(), options.SecretClientOptions ?? new SecretClientOptions());
    }

    private static string Describe(Exception ex) => ex switch
    {
        RequestFailedException rf => $"Key Vault answered {rf.Status} {rf.ErrorCode}",
        AuthenticationFailedException => "the identity could not get a token for Key Vault",
        _ => ex.Message,
    };
}
