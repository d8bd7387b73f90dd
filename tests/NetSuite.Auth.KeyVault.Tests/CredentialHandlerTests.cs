using System.Net;
using System.Text;
using System.Text.Json;
using NetSuite.Simulator;

namespace NetSuite.Auth.KeyVault.Tests;

/// <summary>The handler against the Key Vault test server and the NetSuite simulator: what it attaches, when it reads, how it recovers.</summary>
public sealed class CredentialHandlerTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Access_token_projection_is_sent_as_bearer_and_the_simulator_accepts_it(bool versioned)
    {
        await using var rig = await ConsumerRig.StartAsync();
        rig.PublishAccessToken(versioned);

        using var response = await rig.Client().GetAsync(rig.RecordUrl);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("customer", body.RootElement.GetProperty("recordType").GetString());
        Assert.Equal(1, rig.Reads);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Tba_set_in_either_shape_signs_requests_the_simulator_accepts(bool versioned)
    {
        await using var rig = await ConsumerRig.StartAsync();
        rig.PublishTba(versioned);
        var client = rig.Client();

        using var get = await client.GetAsync(rig.RecordUrl);
        using var form = await client.PostAsync(rig.RestletUrl, new FormUrlEncodedContent([new("note", "a b&c"), new("n", "1")]));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        using var body = JsonDocument.Parse(await form.Content.ReadAsStringAsync());
        Assert.Equal("POST", body.RootElement.GetProperty("method").GetString());
        Assert.Equal(1, rig.Reads);
        Assert.Equal(2, rig.Simulator.State.AuditTrail.Count(e => e.Success));
    }

    [Fact]
    public async Task Concurrent_requests_share_one_read_and_the_access_token_is_kept_until_shortly_before_it_expires()
    {
        await using var rig = await ConsumerRig.StartAsync();
        var first = rig.PublishAccessToken();
        var client = rig.Client();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync(rig.RecordUrl)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, rig.Reads);

        // The service publishes the next token 15 minutes before expiry; the consumer keeps its copy until 5 minutes before.
        rig.Time.SetUtcNow(first.AccessExpiresAt - TimeSpan.FromMinutes(15));
        var second = rig.PublishAccessToken();
        rig.Time.SetUtcNow(first.AccessExpiresAt - TimeSpan.FromMinutes(6));
        using (var stillOld = await client.GetAsync(rig.RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, stillOld.StatusCode);
        }

        Assert.Equal(1, rig.Reads);
        rig.Time.SetUtcNow(first.AccessExpiresAt - TimeSpan.FromMinutes(4));
        await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var r = await client.GetAsync(rig.RecordUrl);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }));

        Assert.Equal(2, rig.Reads);
        Assert.Contains(rig.Logs.Entries, e => e.EventId.Id == 5101 && e.StateValues.Contains(rig.Vault.State.GetSecret(ConsumerRig.SecretName)!.Version, StringComparison.Ordinal));
        Assert.True(second.AccessExpiresAt > first.AccessExpiresAt);
    }

    [Fact]
    public async Task Tba_set_is_kept_for_the_configured_time_then_read_again()
    {
        await using var rig = await ConsumerRig.StartAsync();
        rig.PublishTba();
        var client = rig.Client(o => o.CacheDuration = TimeSpan.FromMinutes(30));

        for (var minute = 0; minute < 30; minute += 5)
        {
            using var r = await client.GetAsync(rig.RecordUrl);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            rig.Time.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Equal(1, rig.Reads);
        using var after = await client.GetAsync(rig.RecordUrl);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, rig.Reads);
    }

    [Fact]
    public async Task A_refused_request_is_resent_once_with_the_newer_version_and_its_body()
    {
        await using var rig = await ConsumerRig.StartAsync();
        var old = rig.PublishTba();
        var client = rig.Client();
        using (var warm = await client.GetAsync(rig.RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // Rotated and the old token revoked while the consumer still holds it in its cache.
        rig.PublishTba();
        Assert.True(rig.Simulator.State.RevokeTbaToken(ConsumerRig.Account, old.TokenId));
        var before = rig.Simulator.State.AuditTrail.Count;

        using var response = await client.PostAsync(rig.RestletUrl, new StringContent("""{"order":7}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, rig.Reads);
        var attempts = rig.Simulator.State.AuditTrail.Skip(before).ToList();
        Assert.Equal([false, true], attempts.Select(a => a.Success));
        Assert.Contains(rig.Logs.Entries, e => e.EventId.Id == 5111);
    }

    [Fact]
    public async Task A_refusal_with_nothing_newer_in_the_vault_is_returned_unchanged_after_one_read()
    {
        await using var rig = await ConsumerRig.StartAsync();
        var token = rig.PublishTba();
        var client = rig.Client();
        using (var warm = await client.GetAsync(rig.RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        rig.Simulator.State.RevokeTbaToken(ConsumerRig.Account, token.TokenId);
        var before = rig.Simulator.State.AuditTrail.Count;

        using var refused = await client.GetAsync(rig.RecordUrl);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Invalid login attempt", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, rig.Reads);
        Assert.Single(rig.Simulator.State.AuditTrail.Skip(before));

        // A second refusal moments later costs no read; after the minimum interval one more.
        using (var again = await client.GetAsync(rig.RecordUrl))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        }

        Assert.Equal(2, rig.Reads);
        rig.Time.Advance(TimeSpan.FromSeconds(31));
        using (var later = await client.GetAsync(rig.RecordUrl))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, later.StatusCode);
        }

        Assert.Equal(3, rig.Reads);
    }

    [Fact]
    public async Task While_the_vault_fails_a_still_valid_token_keeps_working_and_an_expired_one_fails_with_the_vault_status()
    {
        await using var rig = await ConsumerRig.StartAsync();
        var tokens = rig.PublishAccessToken();
        var client = rig.Client();
        using (var warm = await client.GetAsync(rig.RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // Due for a read, the vault answers 503 to every attempt the SDK makes: the cached token is still valid.
        rig.Time.SetUtcNow(tokens.AccessExpiresAt - TimeSpan.FromMinutes(4));
        var outage = rig.Vault.Faults.FailOperation(global::KeyVault.TestServer.KeyVaultOperation.GetSecret, count: 1000, statusCode: 503);
        using (var during = await client.GetAsync(rig.RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        }

        Assert.Contains(rig.Logs.Entries, e => e.EventId.Id == 5102 && e.Message.Contains("503", StringComparison.Ordinal));
        var triedOnce = outage.Triggered;
        using (var soon = await client.GetAsync(rig.RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, soon.StatusCode);
        }

        Assert.Equal(triedOnce, outage.Triggered); // not retried per request

        // Past the token's expiry there is nothing to fall back on.
        rig.Time.SetUtcNow(tokens.AccessExpiresAt + TimeSpan.FromMinutes(1));
        var failed = await Assert.ThrowsAsync<NetSuiteCredentialException>(() => client.GetAsync(rig.RecordUrl));
        Assert.Contains("Key Vault answered 503", failed.Message, StringComparison.Ordinal);
        Assert.Contains(ConsumerRig.SecretName, failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_secret_reaches_a_log_line_an_exception_or_ToString()
    {
        await using var rig = await ConsumerRig.StartAsync();
        var token = rig.PublishTba();
        var client = rig.Client();
        using (await client.GetAsync(rig.RecordUrl))
        {
        }

        rig.Simulator.State.RevokeTbaToken(ConsumerRig.Account, token.TokenId);
        var access = rig.PublishAccessToken();
        using (var resent = await client.GetAsync(rig.RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        }

        var secrets = new[] { token.TokenSecret, rig.Integration.ConsumerSecret, access.AccessToken };
        var logs = rig.Logs.AllText();
        Assert.Contains("5111", string.Join(' ', rig.Logs.Entries.Select(e => e.EventId.Id)), StringComparison.Ordinal);
        Assert.All(secrets, s => Assert.DoesNotContain(s, logs, StringComparison.Ordinal));

        var tba = ConsumerCredential.Parse(ConsumerRig.SecretName, "v1", rig.Vault.State.GetVersions(ConsumerRig.SecretName)[0].Value, null, ConsumerRig.Tags("Tba", true));
        var bearer = ConsumerCredential.Parse(ConsumerRig.SecretName, "v2", access.AccessToken, access.AccessExpiresAt, ConsumerRig.Tags("AccessToken", true));
        Assert.All(secrets, s => Assert.DoesNotContain(s, tba + " " + tba.Tba + " " + bearer, StringComparison.Ordinal));

        var broken = $$"""{"schemaVersion":1,"account":"{{ConsumerRig.Account}}","consumerKey":"k","consumerSecret":"{{token.TokenSecret}}","tokenId":"t"}""";
        var missing = Assert.Throws<NetSuiteCredentialException>(() => ConsumerCredential.Parse(ConsumerRig.SecretName, "v3", broken, null, ConsumerRig.Tags("Tba", true)));
        Assert.Contains("without 'tokenSecret'", missing.Message, StringComparison.Ordinal);
        var notJson = Assert.Throws<NetSuiteCredentialException>(() => ConsumerCredential.Parse(ConsumerRig.SecretName, "v4", "{" + token.TokenSecret, null, ConsumerRig.Tags("Tba", true)));
        Assert.Contains("not valid JSON", notJson.Message, StringComparison.Ordinal);
        Assert.Null(notJson.InnerException);
        Assert.All(secrets, s => Assert.DoesNotContain(s, missing.ToString() + notJson, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_newer_schema_version_or_a_missing_secret_fails_the_call_with_an_error_naming_it()
    {
        await using var rig = await ConsumerRig.StartAsync();
        var client = rig.Client();

        var missing = await Assert.ThrowsAsync<NetSuiteCredentialException>(() => client.GetAsync(rig.RecordUrl));
        Assert.Contains("'netsuite-erp' is not in", missing.Message, StringComparison.Ordinal);

        var tags = ConsumerRig.Tags("Tba", versioned: true);
        tags["schemaVersion"] = "2";
        rig.Vault.State.Seed(ConsumerRig.SecretName, """{"schemaVersion":2}""", "application/json", tags);
        rig.Time.Advance(TimeSpan.FromMinutes(1));
        var newer = await Assert.ThrowsAsync<NetSuiteCredentialException>(() => client.GetAsync(rig.RecordUrl));
        Assert.Contains("schemaVersion 2; this library reads up to 1", newer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_refuses_incomplete_options_and_names_the_problem()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        var builder = Microsoft.Extensions.DependencyInjection.HttpClientFactoryServiceCollectionExtensions.AddHttpClient(services, "x");

        var relative = Assert.Throws<ArgumentException>(() => builder.AddNetSuiteCredential(new Uri("/vault", UriKind.Relative), "erp"));
        Assert.Contains("VaultUri", relative.Message, StringComparison.Ordinal);
        var badName = Assert.Throws<ArgumentException>(() => builder.AddNetSuiteCredential(new Uri("https://kv.vault.azure.net/"), "erp_1"));
        Assert.Contains("'netsuite-erp_1' is not a Key Vault secret name", badName.Message, StringComparison.Ordinal);
        var zero = Assert.Throws<ArgumentException>(() => builder.AddNetSuiteCredential(new Uri("https://kv.vault.azure.net/"), "erp", null, o => o.CacheDuration = TimeSpan.Zero));
        Assert.Contains("CacheDuration", zero.Message, StringComparison.Ordinal);
    }
}
