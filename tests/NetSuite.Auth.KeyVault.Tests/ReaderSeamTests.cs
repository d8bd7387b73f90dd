using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Simulator;

namespace NetSuite.Auth.KeyVault.Tests;

/// <summary>
/// The caching, refusal and resend rules with a reader that is not Key Vault (a fake, holding what a store would),
/// against the NetSuite simulator on loopback.
/// </summary>
public sealed class ReaderSeamTests : IAsyncLifetime
{
    private const string Account = "1234567_SB1";
    private const string Email = "integration@example.com";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeReader _reader = new();
    private NetSuiteSimulator _simulator = null!;
    private SimIntegration _integration = null!;

    public async Task InitializeAsync()
    {
        _simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = _time });
        _simulator.State.AddAccount(Account, concurrencyLimit: 50);
        _simulator.State.AddRole(Account, 1000, "Integration Role", twoFactorRequired: false);
        _simulator.State.AddUser(Account, Email, "correct horse battery staple", null, 1000);
        _integration = _simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = ["https://consumer.example.net/cb"] });
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    private string RecordUrl => _simulator.RecordUrl(Account, "customer/42");

    [Fact]
    public async Task Another_reader_gets_the_same_cache_rules_one_read_per_access_token_until_shortly_before_expiry()
    {
        var first = PublishAccessToken();
        using var client = Client(new NetSuiteCredentialOptions { ConnectionName = "erp" });

        for (var i = 0; i < 10; i++)
        {
            using var r = await client.GetAsync(RecordUrl);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        Assert.Equal(1, _reader.Reads);
        _time.SetUtcNow(first.AccessExpiresAt - TimeSpan.FromMinutes(15));
        PublishAccessToken();
        _time.SetUtcNow(first.AccessExpiresAt - TimeSpan.FromMinutes(6));
        using (var stillCached = await client.GetAsync(RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, stillCached.StatusCode);
        }

        Assert.Equal(1, _reader.Reads);
        _time.SetUtcNow(first.AccessExpiresAt - TimeSpan.FromMinutes(4));
        using (var next = await client.GetAsync(RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        Assert.Equal(2, _reader.Reads);
        Assert.Equal(["netsuite-erp", "netsuite-erp"], _reader.Names);
    }

    [Fact]
    public async Task Another_reader_gets_the_refusal_rules_a_newer_version_is_resent_once_and_nothing_newer_returns_the_401()
    {
        var old = PublishTba();
        using var client = Client(new NetSuiteCredentialOptions { ConnectionName = "erp" });
        using (var warm = await client.GetAsync(RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // Rotated, and the old token revoked while it is still cached: one read, one resend.
        var rotated = PublishTba();
        Assert.True(_simulator.State.RevokeTbaToken(Account, old.TokenId));
        using (var resent = await client.GetAsync(RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        }

        Assert.Equal(2, _reader.Reads);

        // Revoked with nothing newer published: the 401 comes back unchanged, after one read at most per interval.
        Assert.True(_simulator.State.RevokeTbaToken(Account, rotated.TokenId));
        _time.Advance(TimeSpan.FromMinutes(1));
        using (var refused = await client.GetAsync(RecordUrl))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Equal(3, _reader.Reads);
        using (var refusedAgain = await client.GetAsync(RecordUrl))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refusedAgain.StatusCode);
        }

        Assert.Equal(3, _reader.Reads);
    }

    [Fact]
    public async Task Another_readers_failure_keeps_a_still_valid_credential_and_then_fails_with_the_readers_message()
    {
        var token = PublishAccessToken();
        using var client = Client(new NetSuiteCredentialOptions { ConnectionName = "erp" });
        using (var warm = await client.GetAsync(RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        _reader.Failure = "the folder is not there";
        _time.SetUtcNow(token.AccessExpiresAt - TimeSpan.FromMinutes(4));
        using (var kept = await client.GetAsync(RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        }

        Assert.Equal(2, _reader.Reads);
        _time.SetUtcNow(token.AccessExpiresAt + TimeSpan.FromMinutes(1));
        var failed = await Assert.ThrowsAsync<NetSuiteCredentialException>(() => client.GetAsync(RecordUrl));
        Assert.Contains("the folder is not there", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token.AccessToken, failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_container_registration_takes_another_reader_without_a_vault_uri_and_keeps_one_source_per_client()
    {
        PublishTba();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddHttpClient("netsuite").AddNetSuiteCredential("erp", _ => _reader, o => o.CacheDuration = TimeSpan.FromMinutes(10));
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        for (var i = 0; i < 3; i++)
        {
            using var client = factory.CreateClient("netsuite");
            using var r = await client.GetAsync(RecordUrl);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        Assert.Equal(1, _reader.Reads);
        _time.Advance(TimeSpan.FromMinutes(11));
        using (var client = factory.CreateClient("netsuite"))
        using (var r = await client.GetAsync(RecordUrl))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        Assert.Equal(2, _reader.Reads);
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddHttpClient("x").AddNetSuiteCredential("erp", _ => _reader, o => o.CacheDuration = TimeSpan.Zero));
    }

    private HttpClient Client(NetSuiteCredentialOptions options)
    {
        var source = new NetSuiteCredentialSource(_reader, options, _time);
        return new HttpClient(new NetSuiteCredentialHandler(source, _time) { InnerHandler = new SocketsHttpHandler() });
    }

    private IssuedOAuth2Tokens PublishAccessToken()
    {
        var tokens = _simulator.State.IssueOAuth2Tokens(Account, _integration.ClientId, Email, 1000);
        _reader.Publish(tokens.AccessToken, tokens.AccessExpiresAt, "AccessToken");
        return tokens;
    }

    private IssuedTbaToken PublishTba()
    {
        var token = _simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000);
        _reader.Publish(
            $$"""{"schemaVersion":1,"account":"{{Account}}","consumerKey":"{{_integration.ConsumerKey}}","consumerSecret":"{{_integration.ConsumerSecret}}","tokenId":"{{token.TokenId}}","tokenSecret":"{{token.TokenSecret}}"}""",
            null,
            "Tba");
        return token;
    }

    /// <summary>Holds the latest published version in memory and counts reads.</summary>
    private sealed class FakeReader : INetSuiteCredentialReader
    {
        private readonly Lock _gate = new();
        private ConsumerSecretVersion? _latest;
        private int _versions;

        public string Location => "memory";

        public int Reads { get; private set; }

        public List<string> Names { get; } = [];

        public string? Failure { get; set; }

        public void Publish(string value, DateTimeOffset? expiresOn, string kind)
        {
            lock (_gate)
            {
                var tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["kind"] = kind, ["account"] = Account, ["schemaVersion"] = "1" };
                _latest = new ConsumerSecretVersion((++_versions).ToString(CultureInfo.InvariantCulture), value, expiresOn, tags);
            }
        }

        public Task<ConsumerSecretVersion> ReadAsync(string secretName, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                Reads++;
                Names.Add(secretName);
                return Failure is not null
                    ? Task.FromException<ConsumerSecretVersion>(new NetSuiteCredentialException($"Could not read secret '{secretName}': {Failure}."))
                    : Task.FromResult(_latest ?? throw new NetSuiteCredentialException($"Secret '{secretName}' is not published."));
            }
        }
    }
}
