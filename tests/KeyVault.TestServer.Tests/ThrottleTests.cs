using System.Diagnostics;
using System.Net;
using Azure;
using Azure.Security.KeyVault.Secrets;

namespace KeyVault.TestServer.Tests;

public sealed class ThrottleTests
{
    [Fact]
    public async Task The_301st_write_in_a_window_gets_429_and_the_sdk_retry_succeeds_once_the_window_resets()
    {
        var (kv, time) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var throttled = new List<KeyVaultThrottleEvent>();
        // Deterministic: the fake clock moves past the window before the 429 leaves the server,
        // so the SDK's retry (after retry-after-ms) lands in a fresh window.
        kv.Throttle.Throttled += e =>
        {
            throttled.Add(e);
            time.Advance(e.WindowResetsIn);
        };
        var client = kv.CreateSecretClient();

        for (var i = 0; i < 300; i++)
        {
            await client.SetSecretAsync("hot", $"v{i}");
        }

        Assert.Equal(300, kv.Throttle.WritesInWindow);
        var stopwatch = Stopwatch.StartNew();
        var last = await client.SetSecretAsync("hot", "v300");
        stopwatch.Stop();

        var e = Assert.Single(throttled);
        Assert.Equal((KeyVaultBudget.Write, KeyVaultOperation.SetSecret, "hot"), (e.Budget, e.Operation, e.Name));
        Assert.Equal(TimeSpan.FromSeconds(10), e.WindowResetsIn);
        Assert.Equal(1, kv.Counters.ThrottledWrites);
        Assert.Equal(301, kv.Counters.Writes);
        Assert.Equal(301, kv.State.VersionCount("hot"));
        Assert.Equal("v300", last.Value.Value);
        Assert.Equal(1, kv.Throttle.WritesInWindow);
        // The SDK waited retry-after-ms (20 ms), not Retry-After (10 s).
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"retry took {stopwatch.Elapsed}");
        var tail = kv.Requests.Where(r => r.Operation == KeyVaultOperation.SetSecret).TakeLast(2).ToArray();
        Assert.Equal([429, 200], tail.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Without_a_window_reset_the_sdk_gives_up_after_its_retries_with_429()
    {
        var (kv, time) = await TestVault.StartAsync(o => o.WriteBudget = 3);
        await using var kvScope = kv;
        var client = kv.CreateSecretClient(new SecretClientOptions { Retry = { MaxRetries = 2 } });
        for (var i = 0; i < 3; i++)
        {
            await client.SetSecretAsync("limited", $"v{i}");
        }

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("limited", "refused"));

        Assert.Equal(429, error.Status);
        Assert.Equal("Throttled", error.ErrorCode);
        Assert.Equal(3, kv.Counters.ThrottledWrites); // first attempt + 2 retries
        Assert.Equal(3, kv.State.VersionCount("limited"));

        time.Advance(TimeSpan.FromSeconds(10));
        await client.SetSecretAsync("limited", "accepted");
        Assert.Equal(4, kv.State.VersionCount("limited"));
    }

    [Fact]
    public async Task Property_updates_deletes_and_recovers_spend_the_write_budget_and_reads_do_not()
    {
        var (kv, _) = await TestVault.StartAsync(o => o.WriteBudget = 4);
        await using var kvScope = kv;
        var client = kv.CreateSecretClient(new SecretClientOptions { Retry = { MaxRetries = 0 } });

        await client.SetSecretAsync("w", "v");
        var props = (await client.GetSecretAsync("w")).Value.Properties;
        props.Tags["state"] = "Rotating";
        await client.UpdateSecretPropertiesAsync(props);
        await (await client.StartDeleteSecretAsync("w")).WaitForCompletionAsync();
        await (await client.StartRecoverDeletedSecretAsync("w")).WaitForCompletionAsync();
        for (var i = 0; i < 5; i++)
        {
            await client.GetSecretAsync("w");
        }

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.UpdateSecretPropertiesAsync(props));

        Assert.Equal(429, error.Status);
        Assert.Equal(4, kv.Throttle.WritesInWindow);
        Assert.Equal(0, kv.Counters.ThrottledReads);
    }

    [Fact]
    public async Task Reads_and_list_pages_share_the_read_budget_and_the_sdk_retry_succeeds_after_the_reset()
    {
        var (kv, time) = await TestVault.StartAsync(o => o.ReadBudget = 40);
        await using var kvScope = kv;
        kv.State.Seed("r", "v");
        for (var i = 0; i < 30; i++)
        {
            kv.State.Seed($"list-{i:D2}", "v");
        }

        var events = 0;
        kv.Throttle.Throttled += e =>
        {
            Interlocked.Increment(ref events);
            time.Advance(e.WindowResetsIn);
        };
        var client = kv.CreateSecretClient();

        var listed = 0;
        await foreach (var _ in client.GetPropertiesOfSecretsAsync())
        {
            listed++;
        }

        for (var i = 0; i < 38; i++)
        {
            await client.GetSecretAsync("r");
        }

        Assert.Equal(40, kv.Throttle.ReadsInWindow);
        Assert.Equal("v", (await client.GetSecretAsync("r")).Value.Value);

        Assert.Equal(31, listed);
        Assert.Equal(1, events);
        Assert.Equal(1, kv.Counters.ThrottledReads);
        Assert.Equal(0, kv.Counters.ThrottledWrites);
        Assert.Equal(39, kv.Counters.Reads);
        Assert.Equal(2, kv.Counters.ListPages);
    }

    [Fact]
    public async Task A_429_carries_Retry_After_seconds_from_the_fake_clock_and_a_short_retry_after_ms()
    {
        var (kv, time) = await TestVault.StartAsync(o => o.WriteBudget = 1);
        await using var kvScope = kv;
        using var raw = kv.CreateHttpClient();
        using var first = await raw.PutAsync("secrets/x?api-version=7.6", Json("""{"value":"a"}"""));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        time.Advance(TimeSpan.FromSeconds(3.5));

        using var second = await raw.PutAsync("secrets/x?api-version=7.6", Json("""{"value":"b"}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), second.Headers.RetryAfter?.Delta);
        Assert.Equal("20", Assert.Single(second.Headers.GetValues("retry-after-ms")));
        Assert.Contains("\"code\":\"Throttled\"", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        kv.Throttle.RetryAfterMilliseconds = null;
        using var third = await raw.PutAsync("secrets/x?api-version=7.6", Json("""{"value":"c"}"""));
        Assert.Equal("6500", Assert.Single(third.Headers.GetValues("retry-after-ms")));
    }

    [Fact]
    public async Task The_default_budget_admits_4000_reads_in_a_window_and_refuses_the_4001st()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        kv.State.Seed("popular", "v");
        using var raw = kv.CreateHttpClient();

        var stopwatch = Stopwatch.StartNew();
        var ok = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 4000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            using var response = await raw.GetAsync("secrets/popular?api-version=7.6", ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref ok);
            }
        });
        stopwatch.Stop();
        using var refused = await raw.GetAsync("secrets/popular?api-version=7.6");

        Assert.Equal(4000, ok);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(4000, kv.Counters.Reads);
        Assert.Equal(1, kv.Counters.ThrottledReads);
        Console.WriteLine($"4000 reads over loopback HTTPS took {stopwatch.ElapsedMilliseconds} ms");
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
