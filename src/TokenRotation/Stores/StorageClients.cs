using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using TokenRotation.Configuration;

namespace TokenRotation.Stores;

/// <summary>
/// Builds the storage clients from <see cref="StorageOptions"/>: a connection string (Azurite, tests) or the three
/// service URIs with a token credential (Azure, no shared keys; architecture section 8).
/// </summary>
public sealed class StorageClients
{
    private readonly StorageOptions _options;
    private readonly TokenCredential? _credential;

    public StorageClients(StorageOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _credential = credential;
        if (string.IsNullOrWhiteSpace(options.ConnectionString)
            && (string.IsNullOrWhiteSpace(options.BlobServiceUri) || string.IsNullOrWhiteSpace(options.QueueServiceUri) || string.IsNullOrWhiteSpace(options.TableServiceUri)))
        {
            throw new ArgumentException(
                "Storage:ConnectionString, or all of Storage:BlobServiceUri, Storage:QueueServiceUri and Storage:TableServiceUri, must be set.", nameof(options));
        }
    }

    private bool UsesConnectionString => !string.IsNullOrWhiteSpace(_options.ConnectionString);

    private TokenCredential Credential => _credential
        ?? throw new InvalidOperationException("Storage service URIs are configured but no token credential was given.");

    public BlobServiceClient CreateBlobServiceClient() =>
        UsesConnectionString ? new BlobServiceClient(_options.ConnectionString) : new BlobServiceClient(new Uri(_options.BlobServiceUri!), Credential);

    /// <summary>A queue client with the SDK's default message encoding (none); <see cref="Coordination.StorageWorkQueue"/> encodes itself.</summary>
    public QueueServiceClient CreateQueueServiceClient() =>
        UsesConnectionString ? new QueueServiceClient(_options.ConnectionString) : new QueueServiceClient(new Uri(_options.QueueServiceUri!), Credential);

    public TableServiceClient CreateTableServiceClient() =>
        UsesConnectionString ? new TableServiceClient(_options.ConnectionString) : new TableServiceClient(new Uri(_options.TableServiceUri!), Credential);

    /// <summary>
    /// The app's Azure credential: the user-assigned managed identity when its client id is configured, otherwise
    /// <see cref="DefaultAzureCredential"/> (local development with az login or Visual Studio).
    /// </summary>
    public static TokenCredential CreateCredential(KeyVaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.ManagedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId));
    }
}
