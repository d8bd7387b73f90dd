using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetSuite.Simulator;
using TokenRotation.Cli;
using TokenRotation.Cli.Demo;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Tests;

public sealed class DemoTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nstoken-demo-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_keeps_tba_and_m2m_alive_revokes_the_original_tba_token_and_leaves_oauth_needing_a_person()
    {
        using var narration = new StringWriter();
        var inspected = false;
        var secrets = new List<string>();

        var exit = await DemoRunner.RunAsync(_folder, narration, async world =>
        {
            inspected = true;

            // NetSuite's side, from the simulator: the original TBA token is revoked, exactly one ERP token is active.
            var tokens = world.Simulator.State.TokensFor(DemoRunner.Account);
            var original = Assert.Single(tokens, t => t.Id == world.OriginalTbaTokenId);
            Assert.Equal(TokenStatus.Revoked, original.Status);
            var activeTba = world.Simulator.State.ActiveTbaTokens(DemoRunner.Account);
            var current = Assert.Single(activeTba);

            // The store's side, read back from the folder by a fresh store (what the CLI would see).
            var store = new FileConnectionStore(Path.Combine(world.Folder, "state-vault"), world.Clock);
            var oauth = (await store.GetAsync(ConnectionName.Parse(DemoRunner.OAuthConnection)))!;
            var tba = (await store.GetAsync(ConnectionName.Parse(DemoRunner.TbaConnection)))!;
            var m2m = (await store.GetAsync(ConnectionName.Parse(DemoRunner.M2MConnection)))!;

            // The refresh token ran out, a person consented again: healthy, with a new refresh token.
            Assert.Equal(ConnectionStatus.Healthy, oauth.Status);
            Assert.Null(oauth.NeedsPersonReason);
            Assert.True(oauth.OAuth2!.RefreshTokenExpiresAt > world.Clock.GetUtcNow());

            Assert.Equal(ConnectionStatus.Healthy, tba.Status);
            Assert.Null(tba.Rotation);
            Assert.Null(tba.Credentials.Previous);
            Assert.Equal(current.TokenId, tba.Credentials.Current!.Id);
            Assert.NotEqual(world.OriginalTbaTokenId, tba.Credentials.Current.Id);
            Assert.NotNull(tba.LastRotationAt);

            // The certificate was rotated: a new one current, the demo's first one in its grace period.
            Assert.Contains(m2m.Status, new[] { ConnectionStatus.Healthy, ConnectionStatus.Rotating });
            Assert.Null(m2m.LastError);
            Assert.NotNull(m2m.Credentials.Previous);
            Assert.NotEqual(m2m.Credentials.Previous!.Id, m2m.Credentials.Current!.Id);

            // The status page is a file, with what needs a person and every connection.
            var page = await File.ReadAllTextAsync(world.StatusPage);
            Assert.Contains("<h2>All connections</h2>", page, StringComparison.Ordinal);
            Assert.Contains("OAuth 2.0 (authorization code)", page, StringComparison.Ordinal);
            Assert.Equal(0, world.ConsumerFailedCalls);

            // What consumers read: the new TBA set and a valid access token for the M2M connection.
            var consumers = new FileConsumerPublisher(Path.Combine(world.Folder, "consumer-vault"), world.Clock);
            var tbaSet = (await consumers.GetAsync(ConnectionName.Parse(DemoRunner.TbaConnection)))!;
            using (var json = JsonDocument.Parse(tbaSet.Value))
            {
                Assert.Equal(current.TokenId, json.RootElement.GetProperty("tokenId").GetString());
                secrets.Add(json.RootElement.GetProperty("tokenSecret").GetString()!);
                secrets.Add(json.RootElement.GetProperty("consumerSecret").GetString()!);
            }

            var m2mToken = (await consumers.GetAsync(ConnectionName.Parse(DemoRunner.M2MConnection)))!;
            secrets.Add(m2mToken.Value);
            Assert.True(m2mToken.ExpiresOn > world.Clock.GetUtcNow());
            var oauthToken = (await consumers.GetAsync(ConnectionName.Parse(DemoRunner.OAuthConnection)))!;
            Assert.True(oauthToken.ExpiresOn > world.Clock.GetUtcNow());
        });

        Assert.Equal(0, exit);
        Assert.True(inspected);
        var text = narration.ToString();
        Assert.Contains("verified and promoted", text, StringComparison.Ordinal);
        Assert.Contains("revoked the previous TBA token", text, StringComparison.Ordinal);
        Assert.Contains("Why:", text, StringComparison.Ordinal);
        Assert.Contains("NetSuite answered HTTP 503", text, StringComparison.Ordinal);
        Assert.Contains("verified and promoted certificate", text, StringComparison.Ordinal);
        Assert.Contains("crm-oauth2 is Healthy again", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Demo-Only-Passw0rd!", text, StringComparison.Ordinal);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_consumer_calls_netsuite_through_the_library_across_the_refreshes_and_the_tba_rotation_with_0_failed_calls()
    {
        using var narration = new StringWriter();
        string? originalTokenId = null;
        string? currentTokenId = null;

        var exit = await DemoRunner.RunAsync(_folder, narration, world =>
        {
            originalTokenId = world.OriginalTbaTokenId;
            currentTokenId = Assert.Single(world.Simulator.State.ActiveTbaTokens(DemoRunner.Account)).TokenId;
            return Task.CompletedTask;
        });

        var text = narration.ToString();
        var line = Assert.Single(text.Split('\n'), l => l.StartsWith("consumer: ", StringComparison.Ordinal));
        var figures = Regex.Match(line, @"^consumer: (\d+) calls, (\d+) failed");
        Assert.True(figures.Success, line);
        Assert.True(int.Parse(figures.Groups[1].Value, CultureInfo.InvariantCulture) > 0, line);
        Assert.Equal("0", figures.Groups[2].Value);
        Assert.Equal(0, exit);

        // The consumer read the TBA set before the rotation and the rotated one after it, and says so by token id prefix.
        Assert.Contains($"the consumer read erp-tba: TBA set version ", text, StringComparison.Ordinal);
        Assert.Contains($"token {originalTokenId![..8]}…", text, StringComparison.Ordinal);
        Assert.Matches($@"the consumer read erp-tba: TBA set version \w{{8}}…, token {currentTokenId![..8]}…", text);
        Assert.Matches(@"the consumer read crm-oauth2: access token version \w{8}…", text);
        Assert.Matches(@"the consumer read wms-m2m: access token version \w{8}…", text);
    }

    [Fact]
    public async Task Demo_command_with_output_json_prints_its_summary_and_status_on_its_folder_reads_the_demo_clock()
    {
        var demo = await Cli.RunAsync(["demo", "--folder", _folder, "--output", "json"]);
        Assert.Equal(0, demo.ExitCode);
        Assert.Contains("Step 17. Status", demo.Stderr, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(demo.Stdout);
        Assert.Equal(0, summary.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal(0, summary.RootElement.GetProperty("consumerFailedCalls").GetInt32());
        Assert.True(File.Exists(summary.RootElement.GetProperty("statusPage").GetString()));
        var simulatedNow = summary.RootElement.GetProperty("simulatedNow").GetDateTimeOffset();
        Assert.Equal(3, summary.RootElement.GetProperty("connections").GetArrayLength());

        var status = await Cli.RunAsync(["status", "--local", _folder]);
        Assert.Equal(0, status.ExitCode);
        var lines = status.Stdout.Split('\n').SkipWhile(l => !l.StartsWith("----", StringComparison.Ordinal)).Skip(1).ToList();
        Assert.Contains(lines, l => l.StartsWith("crm-oauth2", StringComparison.Ordinal) && l.Contains("Healthy", StringComparison.Ordinal));
        Assert.Contains("simulated clock", status.Stderr, StringComparison.Ordinal);

        // The demo's clock, not the real one: the next actions are minutes away, as in the demo, not days ago or ahead.
        var json = await Cli.RunAsync(["status", "--output", "json", "--local", _folder]);
        using var parsed = JsonDocument.Parse(json.Stdout);
        var states = parsed.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("state").GetString());
        Assert.Equal("Healthy", states["crm-oauth2"]);
        Assert.Equal("Healthy", states["erp-tba"]);
        var crm = parsed.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "crm-oauth2");
        Assert.Equal("OAuth 2.0 (authorization code)", crm.GetProperty("kindName").GetString());
        Assert.InRange(crm.GetProperty("credentialExpiresAt").GetDateTimeOffset() - simulatedNow, TimeSpan.FromSeconds(1), TimeSpan.FromHours(2));

        // The table says so in minutes or "1h..", never in days. (The exact minute depends on when the demo's last refresh
        // ran and on how much real time passed since the demo ended: the status clock is the real one moved by the demo's
        // offset. It read "59m" on an idle machine and something else once under CI load.)
        Assert.Matches(@"\b(\d{1,2}m|1h\d\dm)\)", status.Stdout);
    }

    [Fact]
    public async Task Demo_refuses_a_folder_that_is_not_empty()
    {
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(Path.Combine(_folder, "something"), "x");

        var demo = await Cli.RunAsync(["demo", "--folder", _folder]);

        Assert.Equal(2, demo.ExitCode);
        Assert.Contains("is not empty", demo.Stderr, StringComparison.Ordinal);
    }
}
