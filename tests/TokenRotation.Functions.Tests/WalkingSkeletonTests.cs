using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Testing.Shared;
using TokenRotation.Functions.Http;

namespace TokenRotation.Functions.Tests;

public sealed class WalkingSkeletonTests
{
    [Fact]
    public async Task Health_resolved_from_the_composition_root_answers_healthy_without_detail()
    {
        await using var host = new FunctionsTestHost();
        var function = host.Activate<HealthFunction>();

        var result = function.Health(host.NewRequest("GET", "/api/health"));

        var ok = Assert.IsType<OkObjectResult>(result);
        var body = JsonSerializer.Serialize(ok.Value);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("healthy", json.RootElement.GetProperty("Status").GetString());
        Assert.Equal(host.Time.GetUtcNow(), json.RootElement.GetProperty("CheckedAt").GetDateTimeOffset());
        Assert.DoesNotContain("vault", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("account", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Start_up_fails_with_a_message_naming_each_missing_setting()
    {
        await using var host = new FunctionsTestHost(new Dictionary<string, string?>
        {
            ["KeyVault:StateVaultUri"] = "",
            ["KeyVault:ConsumerVaultUri"] = "not a url",
            ["Storage:ConnectionString"] = "",
            ["TokenRotation:AccountConcurrency"] = "0",
        });

        var error = Assert.ThrowsAny<Exception>(host.ValidateOptions);

        var message = error is AggregateException aggregate
            ? string.Join("\n", aggregate.InnerExceptions.Select(e => e.Message))
            : error.Message;
        Assert.Contains("KeyVault:StateVaultUri", message, StringComparison.Ordinal);
        Assert.Contains("KeyVault:ConsumerVaultUri must be an absolute URL", message, StringComparison.Ordinal);
        Assert.Contains("Storage:ConnectionString", message, StringComparison.Ordinal);
        Assert.Contains("TokenRotation:AccountConcurrency", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_settings_pass_start_up_validation()
    {
        await using var host = new FunctionsTestHost();
        host.ValidateOptions();
        Assert.Equal("https://kv-state.example.net/", host.Services.GetRequiredServiceOf<IOptions<TokenRotation.Configuration.KeyVaultOptions>>().Value.StateVaultUri);
    }

    [Fact]
    public async Task Azurite_grants_and_refuses_blob_leases()
    {
        var azurite = await Azurite.GetAsync();
        var container = azurite.CreateBlobServiceClient().GetBlobContainerClient(Azurite.UniqueName("skeleton"));
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("lease");
        await blob.UploadAsync(BinaryData.FromString(""), overwrite: true);

        var first = blob.GetBlobLeaseClient();
        var lease = await first.AcquireAsync(TimeSpan.FromSeconds(15));
        var second = blob.GetBlobLeaseClient();
        var conflict = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => second.AcquireAsync(TimeSpan.FromSeconds(15)));

        Assert.Equal(first.LeaseId, lease.Value.LeaseId);
        Assert.Equal(409, conflict.Status);
        await first.ReleaseAsync();
        await container.DeleteAsync();
    }
}

internal static class ServiceProviderTestExtensions
{
    public static T GetRequiredServiceOf<T>(this IServiceProvider services) where T : notnull =>
        (T)(services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T)} is not registered."));
}
