using System.Diagnostics;
using Azure;
using Azure.Security.KeyVault.Secrets;

namespace KeyVault.TestServer.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Injected_503s_are_recovered_by_the_sdk_retry()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        kv.State.Seed("s", "value");
        var client = kv.CreateSecretClient();
        var fault = kv.Faults.FailNext(2);

        var secret = await client.GetSecretAsync("s");

        Assert.Equal("value", secret.Value.Value);
        Assert.Equal(2, fault.Triggered);
        Assert.True(fault.Exhausted);
        Assert.Equal(2, kv.Counters.InjectedFaults);
        Assert.Equal(1, kv.Counters.Reads);
    }

    [Fact]
    public async Task More_503s_than_retries_surface_as_a_503_failure()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        kv.State.Seed("s", "value");
        var client = kv.CreateSecretClient(new SecretClientOptions { Retry = { MaxRetries = 1 } });
        kv.Faults.FailOperation(KeyVaultOperation.GetSecret, count: 5);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("s"));

        Assert.Equal(503, error.Status);
        Assert.Equal(2, kv.Counters.InjectedFaults);
        Assert.Equal(0, kv.Counters.Reads);
    }

    [Theory]
    [InlineData(405)]
    [InlineData(400)]
    public async Task A_versionless_property_update_can_be_refused_while_one_naming_the_version_works(int status)
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient(new SecretClientOptions { Retry = { MaxRetries = 0 } });
        var stored = (await client.SetSecretAsync("tagged", "v")).Value;
        var fault = kv.Faults.RefuseVersionlessUpdates(status);
        var latest = new SecretProperties(new Uri(kv.VaultUri, "/secrets/tagged//"));
        latest.Tags["a"] = "1";
        var explicitVersion = new SecretProperties(stored.Id);
        explicitVersion.Tags["a"] = "2";

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.UpdateSecretPropertiesAsync(latest));
        await client.UpdateSecretPropertiesAsync(explicitVersion);

        Assert.Equal(status, error.Status);
        Assert.Equal(1, fault.Triggered);
        Assert.Equal("2", kv.State.GetSecret("tagged")!.Tags["a"]);
    }

    [Fact]
    public async Task A_fault_for_one_operation_and_name_leaves_other_requests_alone()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient(new SecretClientOptions { Retry = { MaxRetries = 0 } });
        kv.Faults.FailOperation(KeyVaultOperation.SetSecret, count: int.MaxValue, name: "broken");

        await client.SetSecretAsync("fine", "v");
        await client.GetSecretAsync("fine");
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("broken", "v"));

        Assert.Equal(503, error.Status);
        Assert.Equal(0, kv.State.VersionCount("broken"));
        Assert.Equal(1, kv.State.VersionCount("fine"));
    }

    [Fact]
    public async Task A_write_whose_response_is_lost_is_applied_and_the_sdk_retry_applies_it_again()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        kv.Faults.FailOperation(KeyVaultOperation.SetSecret, mode: KeyVaultFaultMode.FailAfterProcessing);

        await client.SetSecretAsync("lost", "v");

        Assert.Equal(2, kv.State.VersionCount("lost"));
        Assert.Equal(2, kv.Counters.Writes);
        Assert.Equal(1, kv.Counters.InjectedFaults);
    }

    [Fact]
    public async Task An_aborted_connection_after_processing_is_retried_by_the_sdk()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        kv.Faults.FailOperation(KeyVaultOperation.SetSecret, mode: KeyVaultFaultMode.AbortAfterProcessing);

        await client.SetSecretAsync("aborted", "v");

        Assert.Equal(2, kv.State.VersionCount("aborted"));
        Assert.Contains(kv.Requests, r => r.Outcome == KeyVaultRequestOutcome.FaultInjected && r.Name == "aborted");
    }

    [Fact]
    public async Task Added_latency_delays_only_the_matching_operation()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        kv.State.Seed("slow", "v");
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("warm-up", "v");
        kv.Faults.AddLatency(TimeSpan.FromMilliseconds(300), KeyVaultOperation.GetSecret);

        var slow = Stopwatch.StartNew();
        await client.GetSecretAsync("slow");
        slow.Stop();
        kv.Faults.Clear();
        var fast = Stopwatch.StartNew();
        await client.GetSecretAsync("slow");
        fast.Stop();

        Assert.True(slow.Elapsed >= TimeSpan.FromMilliseconds(290), $"slow call took {slow.Elapsed}");
        Assert.True(fast.Elapsed < slow.Elapsed, $"fast {fast.Elapsed} vs slow {slow.Elapsed}");
    }

    [Fact]
    public async Task Slow_answers_delay_only_the_next_requests()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        kv.State.Seed("slow", "v");
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("warm-up", "v");
        kv.Faults.AddLatency(TimeSpan.FromSeconds(2), 1);

        var slow = Stopwatch.StartNew();
        await client.GetSecretAsync("slow");
        slow.Stop();
        var fast = Stopwatch.StartNew();
        await client.GetSecretAsync("slow");
        fast.Stop();

        Assert.True(slow.Elapsed >= TimeSpan.FromMilliseconds(1990), $"slow call took {slow.Elapsed}");
        Assert.True(fast.Elapsed < TimeSpan.FromSeconds(2), $"the second call took {fast.Elapsed}: the latency was for one request");
    }

    [Fact]
    public async Task Counters_count_per_operation_and_name_and_reset()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("a", "1");
        await client.SetSecretAsync("a", "2");
        await client.SetSecretAsync("b", "1");
        await client.GetSecretAsync("a");
        await foreach (var _ in client.GetPropertiesOfSecretVersionsAsync("a"))
        {
        }

        Assert.Equal(new SecretCounters(1, 2, 0, 0, 0, 1), kv.Counters.ForSecret("a"));
        Assert.Equal(new SecretCounters(0, 1, 0, 0, 0, 0), kv.Counters.ForSecret("B"));
        var snapshot = kv.Counters.Snapshot();
        Assert.Equal((3L, 1L, 1L), (snapshot.Writes, snapshot.Reads, snapshot.ListPages));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 }, kv.State.VersionCounts());

        kv.Counters.Reset();
        Assert.Equal(0, kv.Counters.Writes);
        Assert.Equal(0, kv.Counters.TotalRequests);
    }
}
