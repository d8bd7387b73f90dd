using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Security.KeyVault.Secrets;
using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Engine;
using Xunit.Abstractions;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// The service keys in the state vault (the Key Vault test server, the real SecretClient), the signed consent links
/// and the verifier encryption: created on first use, rotated with an overlap, revoked by disabling a version.
/// </summary>
public sealed class ConsentKeysTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly ConnectionName Name = ConnectionName.Parse("sales-orders");

    [Fact]
    public async Task The_composition_keeps_the_keys_in_the_state_vault_and_creates_them_on_first_use()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var links = env.Services.GetRequiredService<IConsentLinkFactory>();

        var first = await links.CreateAsync(Name);
        var second = await links.CreateAsync(Name);

        Assert.IsType<KeyVaultServiceKeyStore>(env.Services.GetRequiredService<IServiceKeyStore>());
        Assert.IsType<ConsentLinkFactory>(links);
        Assert.StartsWith(env.PublicBaseUrl + "/api/consent/", first, StringComparison.Ordinal);
        Assert.Equal(1, env.StateVault.State.VersionCount(ServiceKeyNames.ConsentSigning));
        Assert.NotNull(second);

        // Another instance (a fresh store over the same vault) verifies what this one signed.
        var other = Factory(new KeyVaultServiceKeyStore(env.StateVault.CreateSecretClient(), timeProvider: env.Time), env.Time);
        Assert.NotNull(first);
        var check = await other.ValidateAsync(first[(first.LastIndexOf('/') + 1)..]);
        Assert.True(check.IsValid);
        Assert.Equal(Name, check.Connection);
        Assert.Equal(1, env.StateVault.State.VersionCount(ServiceKeyNames.ConsentSigning));
    }

    [Fact]
    public async Task After_a_rotation_old_links_still_verify_and_after_two_they_do_not()
    {
        var time = new FakeTimeProvider(Start);
        await using var vault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = time });
        var store = new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time);
        var links = Factory(store, time);

        var beforeRotation = await links.CreateTokenAsync(Name);
        var original = (await store.GetAsync(ServiceKeyNames.ConsentSigning)).Current.Version;
        time.Advance(TimeSpan.FromSeconds(2));
        var rotated = await store.RotateAsync(ServiceKeyNames.ConsentSigning);
        var afterRotation = await links.CreateTokenAsync(Name);

        Assert.NotEqual(original, rotated.Current.Version);
        Assert.Equal(original, rotated.Previous!.Version);
        Assert.True((await links.ValidateAsync(beforeRotation)).IsValid);
        Assert.True((await links.ValidateAsync(afterRotation)).IsValid);

        time.Advance(TimeSpan.FromSeconds(2));
        await store.RotateAsync(ServiceKeyNames.ConsentSigning);

        Assert.Equal(ConsentLinkProblem.BadSignature, (await links.ValidateAsync(beforeRotation)).Problem);
        Assert.True((await links.ValidateAsync(afterRotation)).IsValid);
        Assert.Equal(3, vault.State.VersionCount(ServiceKeyNames.ConsentSigning));
    }

    [Fact]
    public async Task Rotations_within_one_creation_second_make_the_newest_version_current_on_every_instance()
    {
        var time = new FakeTimeProvider(Start);
        await using var vault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = time });
        var store = new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time);
        var previous = (await store.GetAsync(ServiceKeyNames.ConsentSigning)).Current.Version;

        for (var i = 0; i < 8; i++)
        {
            // Key Vault's creation times have one-second resolution: every version here shares the same second.
            time.Advance(TimeSpan.FromMilliseconds(100));
            var rotated = await store.RotateAsync(ServiceKeyNames.ConsentSigning);
            var elsewhere = await new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time).GetAsync(ServiceKeyNames.ConsentSigning);

            Assert.Equal(previous, rotated.Previous!.Version);
            Assert.NotEqual(previous, rotated.Current.Version);
            Assert.Equal(rotated.Current.Version, elsewhere.Current.Version);
            Assert.Equal(previous, elsewhere.Previous!.Version);
            previous = rotated.Current.Version;
        }

        Assert.Equal(Start.ToUnixTimeSeconds(), time.GetUtcNow().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Disabling_a_key_version_revokes_the_links_it_signed()
    {
        var time = new FakeTimeProvider(Start);
        await using var vault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = time });
        var client = vault.CreateSecretClient();
        var store = new KeyVaultServiceKeyStore(client, timeProvider: time);
        var links = Factory(store, time);
        var old = await links.CreateTokenAsync(Name);
        time.Advance(TimeSpan.FromSeconds(2));
        var rotated = await store.RotateAsync(ServiceKeyNames.ConsentSigning);
        var leaked = await links.CreateTokenAsync(Name);

        var properties = (await client.GetSecretAsync(ServiceKeyNames.ConsentSigning, rotated.Current.Version)).Value.Properties;
        properties.Enabled = false;
        await client.UpdateSecretPropertiesAsync(properties);
        var fresh = Factory(new KeyVaultServiceKeyStore(client, timeProvider: time), time);

        Assert.Equal(ConsentLinkProblem.BadSignature, (await fresh.ValidateAsync(leaked)).Problem);
        Assert.True((await fresh.ValidateAsync(old)).IsValid);
    }

    [Fact]
    public async Task An_instance_with_a_cached_key_reads_again_when_a_link_signed_after_a_rotation_arrives()
    {
        var time = new FakeTimeProvider(Start);
        await using var vault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = time });
        var a = new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time);
        var b = new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time);
        await a.GetAsync(ServiceKeyNames.ConsentSigning);
        var cached = await b.GetAsync(ServiceKeyNames.ConsentSigning);
        time.Advance(KeyVaultServiceKeyStore.DefaultMinimumRefreshInterval);
        await a.RotateAsync(ServiceKeyNames.ConsentSigning);
        var token = await Factory(a, time).CreateTokenAsync(Name);

        var check = await Factory(b, time).ValidateAsync(token);

        Assert.True(check.IsValid);
        Assert.NotEqual(cached.Current.Version, (await b.GetAsync(ServiceKeyNames.ConsentSigning)).Current.Version);
    }

    [Fact]
    public async Task A_hundred_forged_links_cost_no_Key_Vault_request_after_warm_up()
    {
        var time = new FakeTimeProvider(Start);
        await using var vault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = time });
        var store = new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time);
        var links = Factory(store, time);
        var genuine = await links.CreateTokenAsync(Name);
        Assert.True((await links.ValidateAsync(genuine)).IsValid);
        var keyId = KeyIdOf(genuine);
        var before = vault.Counters.TotalRequests;

        var forged = ForgedLinks(genuine, keyId).ToList();
        var checks = new List<ConsentLinkCheck>();
        foreach (var token in forged)
        {
            checks.Add(await links.ValidateAsync(token));
        }

        var spent = vault.Counters.TotalRequests - before;
        output.WriteLine($"Key Vault requests for {forged.Count} forged links after warm-up: {spent}");
        Assert.Equal(100, forged.Count);
        Assert.All(checks, c => Assert.False(c.IsValid));
        Assert.Contains(checks, c => c.Problem == ConsentLinkProblem.BadSignature);
        Assert.Contains(checks, c => c.Problem == ConsentLinkProblem.Malformed);
        Assert.Equal(0, spent);
        Assert.True((await links.ValidateAsync(genuine)).IsValid);
    }

    [Fact]
    public async Task A_key_rotated_elsewhere_is_picked_up_with_one_read_per_interval_however_many_forged_links_name_unknown_keys()
    {
        var time = new FakeTimeProvider(Start);
        await using var vault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = time });
        var elsewhere = new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time);
        var here = new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time);
        await elsewhere.GetAsync(ServiceKeyNames.ConsentSigning);
        var links = Factory(here, time);
        var old = await links.CreateTokenAsync(Name);
        time.Advance(KeyVaultServiceKeyStore.DefaultMinimumRefreshInterval);
        await elsewhere.RotateAsync(ServiceKeyNames.ConsentSigning);
        var rotated = await Factory(elsewhere, time).CreateTokenAsync(Name);
        var lists = vault.Counters.Count(KeyVaultOperation.ListSecretVersions);
        var reads = vault.Counters.Reads;

        var unknown = Enumerable.Range(0, 50).Select(i => Forge(Name.Value, time.GetUtcNow().AddHours(1), $"{i:x8}")).ToList();
        var forgedChecks = new List<ConsentLinkCheck>();
        foreach (var token in unknown)
        {
            forgedChecks.Add(await links.ValidateAsync(token));
        }

        var genuine = await links.ValidateAsync(rotated);

        Assert.All(forgedChecks, c => Assert.Equal(ConsentLinkProblem.BadSignature, c.Problem));
        Assert.True(genuine.IsValid);
        Assert.True((await links.ValidateAsync(old)).IsValid);
        Assert.Equal(1, vault.Counters.Count(KeyVaultOperation.ListSecretVersions) - lists);
        Assert.Equal(2, vault.Counters.Reads - reads);
    }

    [Fact]
    public async Task An_expired_ring_is_served_at_once_while_one_shared_read_replaces_it()
    {
        var time = new FakeTimeProvider(Start);
        await using var vault = await KeyVaultTestServer.StartAsync(new KeyVaultTestServerOptions { TimeProvider = time });
        var elsewhere = new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time);
        var store = new KeyVaultServiceKeyStore(vault.CreateSecretClient(), timeProvider: time);
        var first = await store.GetAsync(ServiceKeyNames.ConsentSigning);
        time.Advance(KeyVaultServiceKeyStore.DefaultCacheLifetime);
        var rotated = await elsewhere.RotateAsync(ServiceKeyNames.ConsentSigning);
        vault.Faults.AddLatency(TimeSpan.FromMilliseconds(300), KeyVaultOperation.ListSecretVersions);
        var lists = vault.Counters.Count(KeyVaultOperation.ListSecretVersions);

        var served = store.GetAsync(ServiceKeyNames.ConsentSigning);
        var servedAtOnce = served.IsCompleted;
        var waiting = Enumerable.Range(0, 20).Select(_ => store.GetAsync(ServiceKeyNames.ConsentSigning, refresh: true)).ToList();
        var read = await Task.WhenAll(waiting);

        Assert.True(servedAtOnce, "an expired ring must be served without waiting for Key Vault");
        Assert.Equal(first.Current.Version, (await served).Current.Version);
        Assert.All(read, r => Assert.Equal(rotated.Current.Version, r.Current.Version));
        Assert.Equal(1, vault.Counters.Count(KeyVaultOperation.ListSecretVersions) - lists);
        Assert.Equal(rotated.Current.Version, (await store.GetAsync(ServiceKeyNames.ConsentSigning)).Current.Version);
    }

    [Fact]
    public async Task Forged_links_on_the_consent_endpoint_cost_no_Key_Vault_request_and_a_genuine_link_still_starts_consent()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync(withWebHost: true);
        var name = FunctionsTestEnvironment.NewName();
        await env.ImportOAuth2Async(name, env.SeedAccount());
        var browser = new ConsentFlowTests.Browser(env);
        await browser.OpenConsentLinkAsync(name);
        var genuine = (await env.Services.GetRequiredService<ConsentLinkFactory>().CreateAsync(ConnectionName.Parse(name)))!;
        var token = genuine[(genuine.LastIndexOf('/') + 1)..];
        var before = env.StateVault.Counters.TotalRequests;

        var statuses = new List<HttpStatusCode>();
        foreach (var forged in ForgedLinks(token, KeyIdOf(token)))
        {
            statuses.Add((await browser.GetPageAsync(new Uri(env.PublicBaseUrl + ConsentLinkFactory.PathPrefix + Uri.EscapeDataString(forged)))).Status);
        }

        var spent = env.StateVault.Counters.TotalRequests - before;
        output.WriteLine($"State-vault requests for {statuses.Count} forged links on /api/consent: {spent}");
        Assert.Equal(100, statuses.Count);
        Assert.DoesNotContain(HttpStatusCode.Found, statuses);
        Assert.Equal(0, spent);
        var start = await browser.GetPageAsync(new Uri(genuine));
        Assert.Equal(HttpStatusCode.Found, start.Status);
        Assert.StartsWith(env.Simulator.BaseUrl, start.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData("a.b.c")]
    [InlineData("eyJ2IjoxfQ.AAAA")]
    [InlineData("!!!.###")]
    public async Task Malformed_tokens_are_refused_without_an_exception(string token)
    {
        var time = new FakeTimeProvider(Start);
        var links = Factory(new LocalServiceKeyStore(timeProvider: time), time);

        var check = await links.ValidateAsync(token);

        Assert.Equal(ConsentLinkProblem.Malformed, check.Problem);
        Assert.Null(check.Connection);
    }

    [Fact]
    public async Task A_link_expires_after_its_lifetime_and_an_edited_payload_fails_its_signature()
    {
        var time = new FakeTimeProvider(Start);
        var links = Factory(new LocalServiceKeyStore(timeProvider: time), time, TimeSpan.FromHours(72));
        var token = await links.CreateTokenAsync(Name);
        var otherToken = await links.CreateTokenAsync(ConnectionName.Parse("payroll"));
        var edited = otherToken[..otherToken.IndexOf('.', StringComparison.Ordinal)] + token[token.IndexOf('.', StringComparison.Ordinal)..];

        time.Advance(TimeSpan.FromHours(72) - TimeSpan.FromSeconds(1));
        var justBefore = await links.ValidateAsync(token);
        time.Advance(TimeSpan.FromSeconds(1));
        var atExpiry = await links.ValidateAsync(token);

        Assert.True(justBefore.IsValid);
        Assert.Equal(ConsentLinkProblem.Expired, atExpiry.Problem);
        Assert.Equal(Name, atExpiry.Connection);
        Assert.Equal(ConsentLinkProblem.BadSignature, (await links.ValidateAsync(edited)).Problem);
    }

    [Fact]
    public async Task Verifiers_decrypt_only_for_their_connection_and_survive_one_rotation()
    {
        var time = new FakeTimeProvider(Start);
        var keys = new LocalServiceKeyStore(timeProvider: time);
        var protector = new VerifierProtector(keys);
        var verifier = NetSuite.Auth.OAuth2.Pkce.Create().CodeVerifier;

        var sealedValue = await protector.ProtectAsync(verifier, "sales-orders");
        var tampered = sealedValue[..^2] + (sealedValue[^2] == 'A' ? "B" : "A") + sealedValue[^1];
        await keys.RotateAsync(ServiceKeyNames.VerifierEncryption);
        var afterOne = await protector.UnprotectAsync(sealedValue, "sales-orders");
        await keys.RotateAsync(ServiceKeyNames.VerifierEncryption);

        Assert.DoesNotContain(verifier, sealedValue, StringComparison.Ordinal);
        Assert.Equal(verifier, afterOne);
        Assert.Null(await protector.UnprotectAsync(sealedValue, "sales-orders"));
        Assert.Null(await protector.UnprotectAsync(await protector.ProtectAsync(verifier, "sales-orders"), "payroll"));
        Assert.Null(await protector.UnprotectAsync(tampered, "sales-orders"));
        Assert.Null(await protector.UnprotectAsync("v1.not-base64!", "sales-orders"));
    }

    [Fact]
    public async Task Local_keys_in_a_folder_survive_a_restart_and_are_readable_only_by_the_owner()
    {
        var folder = Directory.CreateTempSubdirectory("nstoken-keys-");
        try
        {
            var time = new FakeTimeProvider(Start);
            var token = await Factory(new LocalServiceKeyStore(folder.FullName, time), time).CreateTokenAsync(Name);

            var check = await Factory(new LocalServiceKeyStore(folder.FullName, time), time).ValidateAsync(token);
            var strangers = await Factory(new LocalServiceKeyStore(timeProvider: time), time).ValidateAsync(token);

            Assert.True(check.IsValid);
            Assert.Equal(ConsentLinkProblem.BadSignature, strangers.Problem);
            var file = Path.Combine(folder.FullName, ServiceKeyNames.ConsentSigning + ".json");
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A third bad signatures on genuine-looking payloads, a third naming unknown keys, a third malformed.</summary>
    private static IEnumerable<string> ForgedLinks(string genuine, string keyId)
    {
        var dot = genuine.IndexOf('.', StringComparison.Ordinal);
        var expires = DateTimeOffset.UtcNow.AddYears(5);
        for (var i = 0; i < 34; i++)
        {
            yield return i % 2 == 0 ? Forge(Name.Value, expires, keyId) : Forge(Name.Value, expires, keyId: null);
        }

        for (var i = 0; i < 33; i++)
        {
            yield return Forge("payroll", expires, $"f{i:x7}");
        }

        for (var i = 0; i < 33; i++)
        {
            yield return (i % 3) switch
            {
                0 => genuine[..dot] + "." + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
                1 => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{\"v\":1,\"c\":\"bad\\nname\",\"exp\":1}")) + "." + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)),
                _ => genuine[..(dot + 10)] + "!" + genuine[(dot + 11)..],
            };
        }
    }

    private static string Forge(string connection, DateTimeOffset expires, string? keyId)
    {
        var payload = keyId is null
            ? $"{{\"v\":1,\"c\":\"{connection}\",\"exp\":{expires.ToUnixTimeSeconds()}}}"
            : $"{{\"v\":1,\"c\":\"{connection}\",\"exp\":{expires.ToUnixTimeSeconds()},\"k\":\"{keyId}\"}}";
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>The key id a link names (empty for links made before links carried one).</summary>
    private static string KeyIdOf(string token)
    {
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.AsSpan(0, token.IndexOf('.', StringComparison.Ordinal))));
        return payload.RootElement.TryGetProperty("k", out var k) ? k.GetString()! : "";
    }

    private static ConsentLinkFactory Factory(IServiceKeyStore keys, TimeProvider time, TimeSpan? lifetime = null) =>
        new(keys,
            Options.Create(new TokenRotationOptions { PublicBaseUrl = "https://func-test.example.net" }),
            Options.Create(new RotationOptions { ConsentLinkLifetime = lifetime ?? TimeSpan.FromHours(72) }),
            time);
}
