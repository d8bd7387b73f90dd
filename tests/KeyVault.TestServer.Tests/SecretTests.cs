using System.Net;
using System.Text;
using Azure;
using Azure.Security.KeyVault.Secrets;

namespace KeyVault.TestServer.Tests;

public sealed class SecretTests
{
    [Fact]
    public async Task Set_creates_a_new_version_each_time_and_get_returns_latest_or_a_given_version()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();

        var first = (await client.SetSecretAsync(new KeyVaultSecret("conn-a", "one") { Properties = { ContentType = "application/json" } })).Value;
        var second = (await client.SetSecretAsync("conn-a", "two")).Value;

        Assert.NotEqual(first.Properties.Version, second.Properties.Version);
        Assert.Equal(2, kv.State.VersionCount("conn-a"));
        Assert.Equal("two", (await client.GetSecretAsync("conn-a")).Value.Value);
        var old = (await client.GetSecretAsync("conn-a", first.Properties.Version)).Value;
        Assert.Equal("one", old.Value);
        Assert.Equal("application/json", old.Properties.ContentType);
        Assert.Equal(kv.VaultUri, old.Properties.VaultUri);
        Assert.Equal(new Uri(kv.VaultUri, $"secrets/conn-a/{first.Properties.Version}"), old.Id);

        var versions = new List<SecretProperties>();
        await foreach (var p in client.GetPropertiesOfSecretVersionsAsync("conn-a"))
        {
            versions.Add(p);
        }

        Assert.Equal(
            new[] { first.Properties.Version, second.Properties.Version }.Order(),
            versions.Select(v => v.Version).Order());
        Assert.Equal(2, kv.Counters.Writes);
        Assert.Equal(2, kv.Counters.Reads);
    }

    [Fact]
    public async Task Set_keeps_tags_expiry_not_before_and_enabled()
    {
        var (kv, time) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        var expires = time.GetUtcNow().AddDays(30);
        var notBefore = time.GetUtcNow().AddMinutes(-1);

        var secret = new KeyVaultSecret("tagged", "v");
        secret.Properties.Tags["kind"] = "conn";
        secret.Properties.Tags["state"] = "Healthy";
        secret.Properties.ExpiresOn = expires;
        secret.Properties.NotBefore = notBefore;
        await client.SetSecretAsync(secret);

        var got = (await client.GetSecretAsync("tagged")).Value.Properties;
        Assert.Equal("conn", got.Tags["kind"]);
        Assert.Equal("Healthy", got.Tags["state"]);
        Assert.Equal(expires.ToUnixTimeSeconds(), got.ExpiresOn?.ToUnixTimeSeconds());
        Assert.Equal(notBefore.ToUnixTimeSeconds(), got.NotBefore?.ToUnixTimeSeconds());
        Assert.Equal(TestVault.Start, got.CreatedOn);
        Assert.True(got.Enabled);
        Assert.Equal("Recoverable", got.RecoveryLevel);
        Assert.Equal(90, got.RecoverableDays);
    }

    [Fact]
    public async Task Tag_only_update_creates_no_version_and_is_counted_as_a_property_update()
    {
        var (kv, time) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("conn-b", "state-json");
        time.Advance(TimeSpan.FromMinutes(5));

        var properties = (await client.GetSecretAsync("conn-b")).Value.Properties;
        properties.Tags["nextActionAt"] = "2025-03-02T08:00:00Z";
        properties.ExpiresOn = TestVault.Start.AddDays(7);
        properties.ContentType = "application/json";
        var updated = (await client.UpdateSecretPropertiesAsync(properties)).Value;

        Assert.Equal(1, kv.State.VersionCount("conn-b"));
        Assert.Equal(properties.Version, updated.Version);
        Assert.Equal(TestVault.Start.AddMinutes(5), updated.UpdatedOn);
        var latest = (await client.GetSecretAsync("conn-b")).Value;
        Assert.Equal("state-json", latest.Value);
        Assert.Equal("2025-03-02T08:00:00Z", latest.Properties.Tags["nextActionAt"]);
        Assert.Equal(TestVault.Start.AddDays(7), latest.Properties.ExpiresOn);
        Assert.Equal("application/json", latest.Properties.ContentType);
        Assert.Equal(1, kv.Counters.Writes);
        Assert.Equal(1, kv.Counters.PropertyUpdates);
        Assert.Equal(new SecretCounters(Reads: 2, Writes: 1, PropertyUpdates: 1, Deletes: 0, Recovers: 0, VersionListPages: 0), kv.Counters.ForSecret("conn-b"));
    }

    [Fact]
    public async Task Listing_more_than_25_secrets_follows_nextLink_and_returns_properties_without_values()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        for (var i = 0; i < 31; i++)
        {
            kv.State.Seed($"conn-{i:D2}", $"value-{i}", tags: new Dictionary<string, string> { ["kind"] = "conn" });
        }

        var client = kv.CreateSecretClient();
        var pages = new List<Page<SecretProperties>>();
        await foreach (var page in client.GetPropertiesOfSecretsAsync().AsPages())
        {
            pages.Add(page);
        }

        Assert.Equal([25, 6], pages.Select(p => p.Values.Count));
        Assert.NotNull(pages[0].ContinuationToken);
        Assert.Null(pages[1].ContinuationToken);
        var names = pages.SelectMany(p => p.Values).Select(p => p.Name).ToList();
        Assert.Equal(Enumerable.Range(0, 31).Select(i => $"conn-{i:D2}"), names);
        Assert.All(pages.SelectMany(p => p.Values), p => Assert.Equal("conn", p.Tags["kind"]));
        Assert.Equal(2, kv.Counters.ListPages);
        Assert.Equal(0, kv.Counters.Reads);

        using var raw = kv.CreateHttpClient();
        var body = await raw.GetStringAsync("secrets?api-version=7.6");
        Assert.DoesNotContain("value-", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_versions_pages_with_maxresults_and_default_page_of_25()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        for (var i = 0; i < 27; i++)
        {
            kv.State.Seed("many", $"v{i}");
        }

        var client = kv.CreateSecretClient();
        var pageSizes = new List<int>();
        await foreach (var page in client.GetPropertiesOfSecretVersionsAsync("many").AsPages())
        {
            pageSizes.Add(page.Values.Count);
        }

        Assert.Equal([25, 2], pageSizes);
        Assert.Equal(2, kv.Counters.ForSecret("many").VersionListPages);

        using var raw = kv.CreateHttpClient();
        var small = System.Text.Json.JsonDocument.Parse(await raw.GetStringAsync("secrets/many/versions?api-version=7.6&maxresults=10")).RootElement;
        Assert.Equal(10, small.GetProperty("value").GetArrayLength());
        Assert.Contains("maxresults=10", small.GetProperty("nextLink").GetString(), StringComparison.Ordinal);
        var tooMany = await raw.GetAsync("secrets/many/versions?api-version=7.6&maxresults=26");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task Soft_delete_then_recover_restores_every_version()
    {
        var (kv, time) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("conn-c", "v1");
        await client.SetSecretAsync("conn-c", "v2");

        var deleteOperation = await client.StartDeleteSecretAsync("conn-c");
        var deleted = (await deleteOperation.WaitForCompletionAsync()).Value;

        Assert.Equal(TestVault.Start, deleted.DeletedOn);
        Assert.Equal(TestVault.Start.AddDays(90), deleted.ScheduledPurgeDate);
        Assert.Equal(new Uri(kv.VaultUri, "deletedsecrets/conn-c"), deleted.RecoveryId);
        Assert.True(kv.State.IsDeleted("conn-c"));
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("conn-c"));
        Assert.Equal(404, missing.Status);
        Assert.Equal("SecretNotFound", missing.ErrorCode);

        var listed = new List<DeletedSecret>();
        await foreach (var d in client.GetDeletedSecretsAsync())
        {
            listed.Add(d);
        }

        Assert.Equal("conn-c", Assert.Single(listed).Name);
        Assert.Equal("conn-c", (await client.GetDeletedSecretAsync("conn-c")).Value.Name);

        time.Advance(TimeSpan.FromDays(3));
        var recoverOperation = await client.StartRecoverDeletedSecretAsync("conn-c");
        await recoverOperation.WaitForCompletionAsync();

        Assert.False(kv.State.IsDeleted("conn-c"));
        Assert.Equal("v2", (await client.GetSecretAsync("conn-c")).Value.Value);
        Assert.Equal(2, kv.State.VersionCount("conn-c"));
        Assert.Equal(1, kv.Counters.Deletes);
        Assert.Equal(1, kv.Counters.Recovers);
    }

    [Fact]
    public async Task Setting_a_soft_deleted_name_is_a_409_conflict_naming_ObjectIsDeletedButRecoverable()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("conn-d", "v1");
        await (await client.StartDeleteSecretAsync("conn-d")).WaitForCompletionAsync();

        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("conn-d", "v2"));

        Assert.Equal(409, conflict.Status);
        Assert.Equal("Conflict", conflict.ErrorCode);
        Assert.Contains("ObjectIsDeletedButRecoverable", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(1, kv.State.VersionCount("conn-d"));
        Assert.Equal(1, kv.Counters.CountFailures(KeyVaultOperation.SetSecret, "conn-d"));
    }

    [Fact]
    public async Task Purge_is_refused_under_purge_protection_and_allowed_without_it()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("conn-e", "v1");
        await (await client.StartDeleteSecretAsync("conn-e")).WaitForCompletionAsync();

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => client.PurgeDeletedSecretAsync("conn-e"));
        Assert.Equal(403, refused.Status);
        Assert.Contains("purge protection", refused.Message, StringComparison.Ordinal);
        Assert.True(kv.State.IsDeleted("conn-e"));

        var (open, _) = await TestVault.StartAsync(o => o.PurgeProtection = false);
        await using var openScope = open;
        var openClient = open.CreateSecretClient();
        await openClient.SetSecretAsync("conn-e", "v1");
        await (await openClient.StartDeleteSecretAsync("conn-e")).WaitForCompletionAsync();
        await openClient.PurgeDeletedSecretAsync("conn-e");
        Assert.False(open.State.IsDeleted("conn-e"));
        Assert.Equal("v9", (await openClient.SetSecretAsync("conn-e", "v9")).Value.Value);
        Assert.Equal(1, open.State.VersionCount("conn-e"));
        Assert.Equal("Recoverable+Purgeable", (await openClient.GetSecretAsync("conn-e")).Value.Properties.RecoveryLevel);
    }

    [Fact]
    public async Task Deleted_secret_is_purged_by_the_server_after_the_retention_period()
    {
        var (kv, time) = await TestVault.StartAsync(o => o.SoftDeleteRetentionDays = 7);
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("conn-f", "v1");
        await (await client.StartDeleteSecretAsync("conn-f")).WaitForCompletionAsync();

        time.Advance(TimeSpan.FromDays(7));

        var gone = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetDeletedSecretAsync("conn-f"));
        Assert.Equal(404, gone.Status);
        Assert.Equal("v2", (await client.SetSecretAsync("conn-f", "v2")).Value.Value);
    }

    [Theory]
    [InlineData("bad_name")]
    [InlineData("dots.are.not.allowed")]
    public async Task Invalid_names_are_rejected_with_400_BadParameter(string name)
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync(name, "x"));

        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.ErrorCode);
        Assert.Contains("invalid name", error.Message, StringComparison.Ordinal);
        Assert.Empty(kv.State.SecretNames);
    }

    [Fact]
    public async Task Names_may_have_127_characters_but_not_128()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        var longest = "conn-" + new string('a', 122);

        await client.SetSecretAsync(longest, "x");
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync(longest + "b", "x"));

        Assert.Equal(127, longest.Length);
        Assert.Equal(400, error.Status);
        Assert.Equal([longest], kv.State.SecretNames);
    }

    [Fact]
    public async Task Values_over_25_KB_are_rejected_with_a_clear_message_that_does_not_echo_the_value()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        string atLimit = new('x', 25 * 1024);
        var canary = "CANARY" + new string('y', 25 * 1024);

        await client.SetSecretAsync("big", atLimit);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("big", canary));

        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.ErrorCode);
        Assert.Contains("25 KB", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, kv.State.VersionCount("big"));
    }

    [Fact]
    public async Task Multibyte_values_are_measured_in_utf8_bytes()
    {
        var (kv, _) = await TestVault.StartAsync(o => o.MaxValueBytes = 10);
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();

        await client.SetSecretAsync("utf8", "ééééé");
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("utf8", "éééééé"));

        Assert.Equal(10, Encoding.UTF8.GetByteCount("ééééé"));
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Unknown_secret_and_unknown_version_answer_404_SecretNotFound()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("known", "v");

        var noSecret = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("unknown"));
        var noVersion = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("known", "0123456789abcdef0123456789abcdef"));

        Assert.Equal((404, "SecretNotFound"), (noSecret.Status, noSecret.ErrorCode));
        Assert.Equal((404, "SecretNotFound"), (noVersion.Status, noVersion.ErrorCode));
        Assert.Equal(2, kv.Counters.CountFailures(KeyVaultOperation.GetSecret));
        Assert.Equal(0, kv.Counters.Reads);
    }

    [Fact]
    public async Task Disabled_secret_value_cannot_be_read()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var client = kv.CreateSecretClient();
        await client.SetSecretAsync(new KeyVaultSecret("off", "v") { Properties = { Enabled = false } });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("off"));

        Assert.Equal(403, error.Status);
        Assert.Contains("SecretDisabled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_request_gets_the_bearer_challenge_and_the_sdk_asks_the_credential_for_the_vault_scope()
    {
        var (kv, _) = await TestVault.StartAsync(o => o.TenantId = "11111111-2222-3333-4444-555555555555");
        await using var kvScope = kv;

        using var anonymous = kv.CreateHttpClient(authenticated: false);
        var challenge = await anonymous.GetAsync("secrets/anything?api-version=7.6");
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Equal(
            "Bearer authorization=\"https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555\", resource=\"https://vault.azure.net\"",
            challenge.Headers.WwwAuthenticate.ToString());

        var client = kv.CreateSecretClient();
        await client.SetSecretAsync("after-challenge", "v");

        var request = Assert.Single(kv.Credential.Requests);
        Assert.Equal(["https://vault.azure.net/.default"], request.Scopes);
        Assert.Equal("11111111-2222-3333-4444-555555555555", request.TenantId);
        Assert.True(kv.Counters.Challenges >= 1);
        Assert.Equal("v", kv.State.GetSecret("after-challenge")?.Value);
    }

    [Fact]
    public async Task The_client_trusts_only_the_server_certificate()
    {
        var (kv, _) = await TestVault.StartAsync();
        await using var kvScope = kv;
        var (other, _) = await TestVault.StartAsync();
        await using var otherScope = other;

        // A handler made for the other server must refuse this server's certificate.
        using var wrongTrust = new HttpClient(other.CreateHttpMessageHandler()) { BaseAddress = kv.VaultUri };
        await Assert.ThrowsAsync<HttpRequestException>(() => wrongTrust.GetAsync("secrets?api-version=7.6"));

        using var rightTrust = kv.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await rightTrust.GetAsync("secrets?api-version=7.6")).StatusCode);
    }
}
