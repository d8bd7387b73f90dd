using System.Globalization;
using System.Net;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetSuite.Auth.KeyVault;
using Testing.Shared;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Stores;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// Issue 18's proof: consumers that use only NetSuite.Auth.KeyVault keep calling NetSuite while the real engine
/// refreshes, mints and rotates underneath them, and never see a failure.
/// </summary>
public sealed class ConsumerRotationTests(ITestOutputHelper output)
{
    private static readonly string[] Connections = ["crm", "m2m", "erp"];
    private static readonly RunRequest Rotate = new() { Rotate = true, StartRotations = true, Trigger = "rotate" };

    [Fact]
    public async Task Consumers_call_through_refreshes_mints_a_TBA_rotation_and_a_certificate_roll_with_no_failed_call()
    {
        await using var h = await EngineHarness.StartAsync(stateVaultOnFakeClock: true);
        h.ConsumerVault.Throttle.WriteBudget = int.MaxValue; // its windows run on wall time; this test packs days into seconds
        h.ConsumerVault.Throttle.ReadBudget = int.MaxValue;

        // OAuth 2.0 (confidential, consented), client credentials (key in the state vault), TBA.
        var (m2mDoc, _) = await ClientCredentialsTests.ImportAsync(h, "m2m");
        var integration = h.SeedAccount();
        await h.SaveNewAsync(await h.ConsentedOAuth2ConnectionAsync("crm", integration, publicClient: false));
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(h.TbaConnection("erp", integration), dryRun: false)).Kind);
        var originalTba = (await h.GetAsync("erp"))!.Credentials.Current!.Id;
        var originalCertificate = m2mDoc.Credentials.Current!.Id;
        await PumpAsync(h.Time, SweepAndProcessAsync(h), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));

        // The consumer: another app, with only the library between it and the consumer vault.
        var consumerLogs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(consumerLogs));
        services.AddSingleton<TimeProvider>(h.Time);
        foreach (var name in Connections)
        {
            services.AddHttpClient(name).AddNetSuiteCredential(h.ConsumerVault.VaultUri, name, h.ConsumerVault.Credential, o =>
                o.SecretClientOptions = h.ConsumerVault.ConfigureClientOptions(new SecretClientOptions()));
        }

        await using var consumer = services.BuildServiceProvider();
        var factory = consumer.GetRequiredService<IHttpClientFactory>();
        var url = h.Simulator.RecordUrl(EngineHarness.Account, "customer/7");
        var calls = 0;
        var failures = new List<string>();
        var readsBefore = Connections.ToDictionary(n => n, n => Reads(h, n));
        var versionsBefore = Connections.ToDictionary(n => n, n => Versions(h, n));

        // Every 5 minutes (the app's frequent sweep): the engine's sweep, then two calls per consumer.
        // At hour 2 a TBA rotation is asked for and at hour 3 a certificate roll; both then run through their grace
        // period (48 h) to the retirement of the old credential.
        var start = h.Time.GetUtcNow();
        Task CallEachAsync() => Task.WhenAll(Connections.Select(async name =>
        {
            using var response = await factory.CreateClient(name).GetAsync(url);
            Interlocked.Increment(ref calls);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var body = await response.Content.ReadAsStringAsync();
                lock (failures)
                {
                    failures.Add($"{name} at +{h.Time.GetUtcNow() - start}: {(int)response.StatusCode} {body}");
                }
            }
        }));

        var step = TimeSpan.FromMinutes(5);
        var steps = (int)(TimeSpan.FromHours(53) / step);
        DateTimeOffset? tbaRotatedAt = null, certificateRolledAt = null;
        long? erpReadsAtRotation = null, erpReadsTwoHoursLater = null;
        for (var i = 1; i <= steps; i++)
        {
            h.Time.Advance(step);
            var outcomes = await PumpAsync(h.Time, SweepAndProcessAsync(h, daily: false), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
            Assert.All(outcomes, o => Assert.True(o.Kind is not OutcomeKind.Failed and not OutcomeKind.Conflict, $"{o.Connection} {o.Kind}: {o.Message}"));
            var elapsed = h.Time.GetUtcNow() - start;
            if (tbaRotatedAt is null && elapsed >= TimeSpan.FromHours(2))
            {
                var rotated = await PumpAsync(h.Time, h.Processor.RunAsync(N("erp"), Rotate), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
                Assert.Equal(OutcomeKind.Succeeded, rotated.Kind);
                tbaRotatedAt = h.Time.GetUtcNow();
                erpReadsAtRotation = Reads(h, "erp");
            }

            if (certificateRolledAt is null && elapsed >= TimeSpan.FromHours(3))
            {
                var rolled = await PumpAsync(h.Time, h.Processor.RunAsync(N("m2m"), Rotate), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
                Assert.Equal(OutcomeKind.Succeeded, rolled.Kind);
                if ((await h.GetAsync("m2m"))!.Credentials.Current!.Id != originalCertificate)
                {
                    certificateRolledAt = h.Time.GetUtcNow();
                }
            }

            if (tbaRotatedAt is { } rotatedAt && erpReadsTwoHoursLater is null && h.Time.GetUtcNow() - rotatedAt >= TimeSpan.FromHours(2))
            {
                erpReadsTwoHoursLater = Reads(h, "erp");
            }

            // Two rounds of one call per consumer at once: together they stay within the account's concurrency limit (5).
            await CallEachAsync();
            await CallEachAsync();
        }

        var hours = (h.Time.GetUtcNow() - start).TotalHours;
        var resends = consumerLogs.Entries.Count(e => e.EventId.Id == 5111);
        output.WriteLine($"{calls} consumer calls over {hours:0.#} fake hours, {failures.Count} failed, {resends} resent after a refusal");
        foreach (var name in Connections)
        {
            var reads = Reads(h, name) - readsBefore[name];
            var published = Versions(h, name) - versionsBefore[name];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name}: {reads} Key Vault reads ({reads / hours:0.00} per hour), {published} versions published meanwhile"));
        }

        var rotationReads = erpReadsTwoHoursLater!.Value - erpReadsAtRotation!.Value;
        output.WriteLine($"  erp: {rotationReads} reads in the 2 h after the TBA rotation (2 scheduled, so {rotationReads - 2} extra for the rotation)");
        Assert.True(failures.Count == 0, "Failed consumer calls:\n" + string.Join("\n", failures));

        // The engine did what the proof needs: the TBA token and the certificate were rotated and the old ones retired.
        var erp = (await h.GetAsync("erp"))!;
        Assert.NotEqual(originalTba, erp.Credentials.Current!.Id);
        Assert.Null(erp.Credentials.Previous);
        Assert.DoesNotContain(h.Simulator.State.ActiveTbaTokens(EngineHarness.Account), t => t.TokenId == originalTba);
        Assert.NotNull(certificateRolledAt);
        var m2m = (await h.GetAsync("m2m"))!;
        Assert.Null(m2m.Credentials.Previous);
        Assert.True(h.Simulator.State.Certificates(EngineHarness.Account).Single(c => c.CertificateId == originalCertificate).Revoked);
        Assert.True(h.ConsumerVault.State.VersionCount(SecretNames.Consumer(N("crm"))) >= 50, "The OAuth 2.0 access token was refreshed hourly.");

        // The rotation costs at most one read beyond the hourly ones.
        Assert.InRange(rotationReads, 1, 3);

        // Reads: at most one per access token the engine published (each lives an hour; a new one comes every 45
        // minutes with the default 15-minute lead) or per TBA cache time (1 h), plus the first read and one per rotation.
        foreach (var name in Connections)
        {
            var reads = Reads(h, name) - readsBefore[name];
            var budget = name == "erp" ? Math.Ceiling(hours) + 1 + 1 : Versions(h, name) - versionsBefore[name] + 1;
            Assert.True(reads <= budget, $"{name}: {reads} Key Vault reads in {hours:0.#} h; at most {budget} expected.");
        }
    }

    private static long Reads(EngineHarness h, string name) => h.ConsumerVault.Counters.ForSecret(SecretNames.Consumer(N(name))).Reads;

    private static int Versions(EngineHarness h, string name) => h.ConsumerVault.State.VersionCount(SecretNames.Consumer(N(name)));
}
