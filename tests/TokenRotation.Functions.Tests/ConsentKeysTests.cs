using Azure.Security.KeyVault.Secrets;
using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Engine;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// The service keys in the state vault (the Key Vault test server, the real SecretClient), the signed consent links
/// and the verifier encryption: created on first use, rotated with an overlap, revoked by disabling a version.
/// </summary>
public sealed class ConsentKeysTests
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
        time.Advance(TimeSpan.FromSeconds(2));
        await a.RotateAsync(ServiceKeyNames.ConsentSigning);
        var token = await Factory(a, time).CreateTokenAsync(Name);

        var check = await Factory(b, time).ValidateAsync(token);

        Assert.True(check.IsValid);
        Assert.NotEqual(cached.Current.Version, (await b.GetAsync(ServiceKeyNames.ConsentSigning)).Current.Version);
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

    private static ConsentLinkFactory Factory(IServiceKeyStore keys, TimeProvider time, TimeSpan? lifetime = null) =>
        new(keys,
            Options.Create(new TokenRotationOptions { PublicBaseUrl = "https://func-test.example.net" }),
            Options.Create(new RotationOptions { ConsentLinkLifetime = lifetime ?? TimeSpan.FromHours(72) }),
            time);
}
