using Azure.Core;
using Azure.Identity;
using TokenRotation.Configuration;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

public sealed class StorageClientsTests
{
    [Fact]
    public void Service_uris_with_a_credential_make_clients_for_those_endpoints()
    {
        var clients = new StorageClients(
            new StorageOptions
            {
                BlobServiceUri = "https://stabc.blob.core.windows.net",
                QueueServiceUri = "https://stabc.queue.core.windows.net",
                TableServiceUri = "https://stabc.table.core.windows.net",
            },
            new DefaultAzureCredential());

        Assert.Equal("stabc.blob.core.windows.net", clients.CreateBlobServiceClient().Uri.Host);
        Assert.Equal("stabc.queue.core.windows.net", clients.CreateQueueServiceClient().Uri.Host);
        Assert.Equal("stabc.table.core.windows.net", clients.CreateTableServiceClient().Uri.Host);
    }

    [Fact]
    public void A_connection_string_makes_clients_for_its_endpoints()
    {
        var clients = new StorageClients(new StorageOptions
        {
            // The emulator shorthand: Azurite's default endpoints on 127.0.0.1:10000-10002.
            ConnectionString = "UseDevelopmentStorage=true",
        });

        Assert.Equal(10000, clients.CreateBlobServiceClient().Uri.Port);
        Assert.Equal(10001, clients.CreateQueueServiceClient().Uri.Port);
        Assert.Equal(10002, clients.CreateTableServiceClient().Uri.Port);
    }

    [Fact]
    public void Neither_a_connection_string_nor_all_three_uris_is_refused_naming_the_settings()
    {
        var error = Assert.Throws<ArgumentException>(() => new StorageClients(new StorageOptions { BlobServiceUri = "https://stabc.blob.core.windows.net" }));

        Assert.Contains("Storage:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_credential_is_the_user_assigned_identity_when_its_client_id_is_set()
    {
        TokenCredential managed = StorageClients.CreateCredential(new KeyVaultOptions { ManagedIdentityClientId = "00000000-0000-0000-0000-000000000001" });
        TokenCredential local = StorageClients.CreateCredential(new KeyVaultOptions());

        Assert.IsType<ManagedIdentityCredential>(managed);
        Assert.IsType<DefaultAzureCredential>(local);
    }
}
