using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NetSuite.Simulator;
using Testing.Shared;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Stores;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;
using SimTotp = NetSuite.Simulator.Protocol.Totp;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// Thirty simulated days for a mix of connections on the in-memory lease and fake time: versions stay low where
/// architecture section 3 says they do, and no secret ever reaches a log line.
/// </summary>
public sealed class ThirtyDaysTests(ITestOutputHelper output)
{
    private const string Account = EngineHarness.Account;
    private static readonly string[] AuthorizationCode = ["conf-a", "conf-b", "pub-a"];
    private static readonly string[] Bounded = ["conf-a", "conf-b", "m2m-a", "tba-a", "tba-b"];

    [Fact]
    public async Task Thirty_days_keep_state_versions_low_and_no_secret_in_any_log_line()
    {
        var clock = Stopwatch.StartNew();
        await using var h = await EngineHarness.StartAsync(stateVaultOnFakeClock: true);

        // The consumer vault's throttle windows run on wall time, where this test packs a month into seconds; its
        // budget is the state vault's concern here (that one runs on the fake clock), so lift the consumer's.
        h.ConsumerVault.Throttle.WriteBudget = int.MaxValue;
        h.ConsumerVault.Throttle.ReadBudget = int.MaxValue;
        var canaries = new List<string>();
        string Canary() => Remember(canaries, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));

        // Every secret is random: the user's password and TOTP secret, every integration's client secret.
        var password = Canary();
        var totpSecret = Remember(canaries, SimTotp.NewSecret());
        h.Simulator.State.AddAccount(Account, concurrencyLimit: 5);
        h.Simulator.State.AddRole(Account, 1000, "Integration Role", twoFactorRequired: true);
        h.Simulator.State.AddUser(Account, EngineHarness.UserEmail, password, totpSecret, 1000);
        SimIntegration Integration(bool publicClient = false) => h.Simulator.State.AddIntegration(Account, new IntegrationSpec
        {
            ClientSecret = Canary(),
            PublicClient = publicClient,
            RedirectUris = [RedirectUri],
        });

        foreach (var name in AuthorizationCode)
        {
            var integration = Integration(publicClient: name.StartsWith("pub", StringComparison.Ordinal));
            var imported = await h.Imports.ImportAsync(new ConnectionDocument
            {
                Name = name,
                Kind = ConnectionKind.OAuth2AuthorizationCode,
                Account = Account,
                OAuth2 = new OAuth2Definition
                {
                    ClientId = integration.ClientId,
                    ClientSecret = integration.PublicClient ? null : integration.ClientSecret,
                    IsPublicClient = integration.PublicClient,
                    RedirectUri = RedirectUri,
                    PublicRefreshInterval = integration.PublicClient ? TimeSpan.FromHours(6) : null,
                },
            }, dryRun: false);
            Assert.Equal(OutcomeKind.Succeeded, imported.Kind);
            await ConsentAgainAsync(h, name);
        }

        var tba = Integration();
        foreach (var (name, interval) in new[] { ("tba-a", (TimeSpan?)null), ("tba-b", TimeSpan.FromDays(20)) })
        {
            var token = h.Simulator.State.IssueTbaToken(Account, tba.ConsumerKey, EngineHarness.UserEmail, 1000, name: $"{name} made in the UI");
            var imported = await h.Imports.ImportAsync(new ConnectionDocument
            {
                Name = name,
                Kind = ConnectionKind.Tba,
                Account = Account,
                Policy = new ConnectionPolicy { TbaRotationInterval = interval },
                Tba = new TbaDefinition
                {
                    ConsumerKey = tba.ConsumerKey,
                    ConsumerSecret = tba.ConsumerSecret,
                    User = new RotationUser { Email = EngineHarness.UserEmail, Password = password, TotpSecret = totpSecret, RoleId = "1000" },
                },
                Credentials = new CredentialSlots { Current = new RotatedCredential { Id = token.TokenId, Secret = token.TokenSecret, Name = token.Name, IssuedAt = h.Time.GetUtcNow() } },
            }, dryRun: false);
            Assert.Equal(OutcomeKind.Succeeded, imported.Kind);
        }

        // Client credentials: the key is made in (and never leaves) the state vault; the simulator maps its certificate.
        await ClientCredentialsTests.ImportAsync(h, "m2m-a");

        // Thirty days: the frequent sweep every hour (the app runs it every 5 minutes; hourly keeps this test short,
        // and every access token still gets refreshed or minted before it ends), the daily sweep once a day.
        var start = h.Time.GetUtcNow();
        var reconsents = 0;
        var outcomes = new Dictionary<OutcomeKind, int>();
        for (var hour = 1; hour <= 30 * 24; hour++)
        {
            h.Time.Advance(TimeSpan.FromHours(1));
            var done = await PumpAsync(h.Time, SweepAndProcessAsync(h, daily: hour % 24 == 14), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
            foreach (var outcome in done)
            {
                outcomes[outcome.Kind] = outcomes.GetValueOrDefault(outcome.Kind) + 1;
                Assert.True(outcome.Kind is not OutcomeKind.Failed and not OutcomeKind.Conflict, $"Day {hour / 24}: {outcome.Connection} {outcome.Kind}: {outcome.Message}");
            }

            // A person consents again as soon as a connection asks for it.
            foreach (var outcome in done.Where(o => o.Status == ConnectionStatus.NeedsPerson && AuthorizationCode.Contains(o.Connection)))
            {
                await ConsentAgainAsync(h, outcome.Connection);
                reconsents++;
            }
        }

        // Every connection is alive at the end.
        foreach (var name in AuthorizationCode.Append("m2m-a"))
        {
            var published = await h.Consumers.GetAsync(N(name));
            Assert.True(published?.ExpiresOn > h.Time.GetUtcNow(), $"{name} has no live access token after 30 days.");
        }

        var tbaB = (await h.GetAsync("tba-b"))!;
        Assert.NotNull(tbaB.LastRotationAt);
        Assert.Contains(h.Simulator.State.AuditTrail, e => e.Endpoint == SimEndpoint.RevokeToken && e.Success);

        var versions = h.StateVault.State.VersionCounts();
        output.WriteLine($"30 days from {start:u} in {clock.Elapsed.TotalSeconds:0} s; {reconsents} re-consents; outcomes: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}");
        output.WriteLine("state vault versions per secret:");
        foreach (var (name, count) in versions.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {name}: {count}");
        }

        output.WriteLine("consumer vault versions per secret:");
        foreach (var (name, count) in h.ConsumerVault.State.VersionCounts().OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {name}: {count}");
        }

        foreach (var name in Bounded)
        {
            var count = versions[SecretNames.State(N(name))];
            Assert.True(count < 10, $"{SecretNames.State(N(name))} has {count} versions after 30 days; at most 9 expected.");
        }

        // Every secret any store ever held: canaries, every refresh and access token, every TBA token secret, the service's keys.
        canaries.AddRange(SecretsStoredIn(h.StateVault.State, h.ConsumerVault.State));
        var distinct = canaries.Distinct(StringComparer.Ordinal).ToList();
        Assert.All(distinct, s => Assert.True(s.Length >= 24, "A secret shorter than 24 characters cannot be searched for reliably."));
        var logs = h.Logs.Entries.Select(e => e.ToString()).ToList();
        var revokeLine = logs.FirstOrDefault(l => l.Contains("revoketoken", StringComparison.Ordinal) && l.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
        Assert.NotNull(revokeLine);
        output.WriteLine($"HTTP client logging of revoketoken: {revokeLine}");

        // The search itself finds a secret in each of the three forms.
        var probe = distinct[^1];
        Assert.Equal(3, LogLeaks.Find([$"raw {probe}", $"url={Uri.EscapeDataString(probe)}", $"b64:{Convert.ToBase64String(Encoding.UTF8.GetBytes(probe))}"], distinct).Count);
        var leaks = LogLeaks.Find(logs, distinct);
        output.WriteLine($"searched {logs.Count} log lines ({logs.Sum(l => l.Length) / 1024} KiB) for {distinct.Count} secrets in 3 encodings: {leaks.Count} found");
        Assert.True(leaks.Count == 0, "Secrets in log lines:\n" + string.Join("\n", leaks.Take(5)));
    }

    private static string Remember(List<string> list, string secret)
    {
        list.Add(secret);
        return secret;
    }

    private static async Task ConsentAgainAsync(EngineHarness h, string name)
    {
        var doc = (await h.GetAsync(name))!;
        var consent = await ConsentAsync(h.Simulator, Account, doc.OAuth2!.ClientId);
        var outcome = await h.Consents.CompleteConsentAsync(N(name), consent);
        Assert.True(outcome.Kind == OutcomeKind.Succeeded, $"Consent for {name}: {outcome.Kind} {outcome.Message}");
    }

    /// <summary>Every secret value in every version of every secret of both vaults (documents are read field by field).</summary>
    private static IEnumerable<string> SecretsStoredIn(params KeyVault.TestServer.KeyVaultState[] vaults)
    {
        foreach (var vault in vaults)
        {
            foreach (var name in vault.SecretNames.Where(n => !n.StartsWith(SecretNames.CertificatePrefix, StringComparison.Ordinal)))
            {
                foreach (var version in vault.GetVersions(name))
                {
                    if (name.StartsWith(SecretNames.ConnectionPrefix, StringComparison.Ordinal))
                    {
                        var doc = ConnectionDocument.FromJson(version.Value, name);
                        foreach (var value in new[] { doc.OAuth2?.RefreshToken, doc.OAuth2?.ClientSecret, doc.Tba?.ConsumerSecret, doc.Tba?.User.Password, doc.Tba?.User.TotpSecret }
                            .Concat(new[] { doc.Credentials.Current, doc.Credentials.Pending, doc.Credentials.Previous }.Select(c => c?.Secret)))
                        {
                            if (value is not null)
                            {
                                yield return value;
                            }
                        }
                    }
                    else if (version.Value.StartsWith('{'))
                    {
                        using var json = JsonDocument.Parse(version.Value);
                        foreach (var property in json.RootElement.EnumerateObject())
                        {
                            if (property.Name.Contains("secret", StringComparison.OrdinalIgnoreCase) && property.Value.GetString() is { } value)
                            {
                                yield return value;
                            }
                        }
                    }
                    else
                    {
                        yield return version.Value; // access tokens, the service's keys
                    }
                }
            }
        }
    }
}
