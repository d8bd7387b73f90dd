using System.Security.Cryptography.X509Certificates;
using Azure.Security.KeyVault.Certificates;
using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Auth.OAuth2;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Keys;
using TokenRotation.Stores;
using Xunit.Abstractions;
using TokenRotation.Kinds.ClientCredentials;

namespace TokenRotation.Tests.Engine;

/// <summary>Client credentials (issue 8): minting with a key that stays in Key Vault, and certificate rotation.</summary>
public sealed class ClientCredentialsTests(ITestOutputHelper output)
{
    private const string Name = "m2m-one";

    /// <summary>The state vault serves certificates and remote signing through the real CertificateClient, on the engine's clock.</summary>
    internal static Task<EngineHarness> StartAsync(Action<IDictionary<string, string?>>? settings = null) =>
        EngineHarness.StartAsync(settings, stateVaultOnFakeClock: true);

    internal static async Task<(ConnectionDocument Doc, SimIntegration Integration)> ImportAsync(EngineHarness h, string name = Name, int roleId = 1000)
    {
        var integration = h.SeedAccount(twoFactor: false);
        var keys = h.Services.GetRequiredService<ICertificateKeyStore>();
        var certificateName = $"cert-{name}";
        var version = await keys.CreateVersionAsync(certificateName, $"nstoken {name}", TimeSpan.FromDays(365));
        var keyVersion = await KeyVersionFromKidAsync(h, certificateName, version.Version);
        using var certificate = X509Certificate2.CreateFromPem(version.CertificatePem);
        var mapped = h.Simulator.State.AddCertificate(EngineHarness.Account, integration.ClientId, EngineHarness.UserEmail, roleId, certificate);
        var user = h.Simulator.State.GetUser(EngineHarness.Account, EngineHarness.UserEmail);
        var doc = WorldDocuments.ClientCredentials(
            name, h.World.Account, integration, user.EntityId, certificateName, mapped.CertificateId, keyVersion, h.Time.GetUtcNow(), version.NotAfter, roleId);
        var outcome = await h.Imports.ImportAsync(doc, dryRun: false);
        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        return (doc, integration);
    }

    /// <summary>The key version the state vault's certificate names in its kid (<c>.../keys/{name}/{version}</c>), read with the SDK.</summary>
    internal static async Task<string> KeyVersionFromKidAsync(EngineHarness h, string certificateName, string certificateVersion)
    {
        var certificate = (await h.Services.GetRequiredService<CertificateClient>().GetCertificateVersionAsync(certificateName, certificateVersion)).Value;
        return certificate.KeyId.Segments[^1].TrimEnd('/');
    }

    /// <summary>Into the renewal window (30 days before expiry by default), before the certificate expires.</summary>
    internal static void AdvanceToRenewal(EngineHarness h, ConnectionDocument doc) =>
        h.Time.Advance(doc.Credentials.Current!.ExpiresAt!.Value - TimeSpan.FromDays(20) - h.Time.GetUtcNow());

    [Fact]
    public async Task Mint_signs_in_Key_Vault_and_publishes_the_access_token_without_a_state_write()
    {
        await using var h = await StartAsync();
        await ImportAsync(h);
        var stateWrites = h.StateVault.Counters.Writes;
        var signs = h.StateVault.Counters.Signs;

        var outcome = await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(false));

        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(stateWrites, h.StateVault.Counters.Writes);
        Assert.Equal(signs + 1, h.StateVault.Counters.Signs);
        var published = await h.Consumers.GetAsync(ConnectionName.Parse(Name));
        Assert.NotNull(published);
        var facts = NetSuiteTokenFacts.Read(published.Value);
        Assert.Equal(facts.ExpiresAt, published.ExpiresOn);
        Assert.Equal("1000", facts.RoleId);

        // Not due again until the lead time before that expiry.
        var again = await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(false));
        Assert.Equal(OutcomeKind.NothingToDo, again.Kind);
        Assert.Equal(signs + 1, h.StateVault.Counters.Signs);
    }

    [Fact]
    public async Task Certificate_rotation_uploads_a_new_key_verifies_promotes_and_revokes_the_old_after_grace()
    {
        await using var h = await StartAsync();
        var (doc, integration) = await ImportAsync(h);
        var original = doc.Credentials.Current!.Id;

        AdvanceToRenewal(h, doc);
        var rotated = await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(startRotations: true));
        output.WriteLine(rotated.Message);

        Assert.Equal(OutcomeKind.Succeeded, rotated.Kind);
        var after = (await h.GetAsync(Name))!;
        Assert.NotEqual(original, after.Credentials.Current!.Id);
        Assert.NotEqual(doc.Credentials.Current.KeyVersion, after.Credentials.Current.KeyVersion);
        Assert.Equal(original, after.Credentials.Previous!.Id);
        var certificates = h.Simulator.State.Certificates(EngineHarness.Account, integration.ClientId);
        Assert.Equal(2, certificates.Count(c => !c.Revoked));

        h.Time.Advance(TimeSpan.FromHours(49));
        await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(false));

        certificates = h.Simulator.State.Certificates(EngineHarness.Account, integration.ClientId);
        Assert.True(Assert.Single(certificates, c => c.CertificateId == original).Revoked);
        Assert.False(Assert.Single(certificates, c => c.CertificateId == after.Credentials.Current.Id).Revoked);
        var final = (await h.GetAsync(Name))!;
        Assert.Null(final.Rotation);
        Assert.Equal(ConnectionStatus.Healthy, final.Status);

        // The new certificate mints.
        h.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(OutcomeKind.Succeeded, (await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(false))).Kind);
    }

    [Fact]
    public async Task Signing_uses_the_key_version_from_the_certificates_kid_when_the_vault_gives_keys_their_own_versions()
    {
        await using var h = await EngineHarness.StartAsync(vaultOptions: new KeyVaultTestServerOptions { SeparateKeyVersions = true }, stateVaultOnFakeClock: true);
        var (doc, _) = await ImportAsync(h);
        Assert.Equal(OutcomeKind.Succeeded, (await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(false))).Kind);

        AdvanceToRenewal(h, doc);
        var rotated = await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(startRotations: true));
        output.WriteLine(rotated.Message);

        Assert.Equal(OutcomeKind.Succeeded, rotated.Kind);
        var after = (await h.GetAsync(Name))!;
        var latest = (await h.Services.GetRequiredService<CertificateClient>().GetCertificateAsync($"cert-{Name}")).Value;
        Assert.NotEqual(latest.Properties.Version, after.Credentials.Current!.KeyVersion);
        Assert.Equal(await KeyVersionFromKidAsync(h, $"cert-{Name}", latest.Properties.Version), after.Credentials.Current.KeyVersion);
        Assert.Equal(0, h.StateVault.Counters.Count(KeyVault.TestServer.KeyVaultOperation.Sign, includeFailures: true) - h.StateVault.Counters.Signs);
    }

    [Fact]
    public async Task Five_active_certificates_stop_the_rotation_with_an_explanation_and_keep_the_current_one()
    {
        await using var h = await StartAsync();
        var (doc, integration) = await ImportAsync(h);
        var keys = h.Services.GetRequiredService<ICertificateKeyStore>();
        for (var i = 0; i < 4; i++)
        {
            var extra = await keys.CreateVersionAsync($"extra-{i}", "other", TimeSpan.FromDays(365));
            using var certificate = X509Certificate2.CreateFromPem(extra.CertificatePem);
            h.Simulator.State.AddCertificate(EngineHarness.Account, integration.ClientId, EngineHarness.UserEmail, 1000, certificate);
        }

        AdvanceToRenewal(h, doc);
        var outcome = await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(startRotations: true));

        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        var after = (await h.GetAsync(Name))!;
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Contains("5 active certificates", after.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Equal(doc.Credentials.Current!.Id, after.Credentials.Current!.Id);
        Assert.Null(after.Rotation);
        Assert.Equal(5, h.Simulator.State.Certificates(EngineHarness.Account, integration.ClientId).Count(c => !c.Revoked));
    }

    [Fact]
    public async Task A_rotation_stopped_by_the_certificate_limit_keeps_minting_with_the_current_certificate()
    {
        // Found by the chaos soak: after the refused rotation the connection was never due again, so its consumer's
        // access token ran out although the message said the current certificate still works.
        await using var h = await StartAsync();
        var (doc, integration) = await ImportAsync(h);
        var keys = h.Services.GetRequiredService<ICertificateKeyStore>();
        for (var i = 0; i < 4; i++)
        {
            var extra = await keys.CreateVersionAsync($"extra-{i}", "other", TimeSpan.FromDays(365));
            using var certificate = X509Certificate2.CreateFromPem(extra.CertificatePem);
            h.Simulator.State.AddCertificate(EngineHarness.Account, integration.ClientId, EngineHarness.UserEmail, 1000, certificate);
        }

        AdvanceToRenewal(h, doc);
        Assert.Equal(OutcomeKind.NeedsPerson, (await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(startRotations: true))).Kind);
        var minted = (await h.Consumers.GetAsync(ConnectionName.Parse(Name)))!.ExpiresOn!.Value;

        // Two hours of frequent sweeps: the access token is minted again before it ends, with the same certificate.
        for (var i = 0; i < 24; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(5));
            await EngineTestKit.SweepAndProcessAsync(h);
        }

        var published = (await h.Consumers.GetAsync(ConnectionName.Parse(Name)))!;
        Assert.True(published.ExpiresOn > h.Time.GetUtcNow(), $"The access token ended at {published.ExpiresOn:u}; it was {minted:u} after the refused rotation.");
        var after = (await h.GetAsync(Name))!;
        Assert.Equal(doc.Credentials.Current!.Id, after.Credentials.Current!.Id);
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Contains("5 active certificates", after.NeedsPersonReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_without_the_certificate_permission_needs_a_person_who_is_told_which_permission()
    {
        await using var h = await StartAsync();
        h.SeedAccount(twoFactor: false);
        h.Simulator.State.AddRole(EngineHarness.Account, 1001, "No certificates", permissions: RolePermissions.All & ~RolePermissions.ManageOwnClientCredentialsCertificates);
        h.Simulator.State.GetUser(EngineHarness.Account, EngineHarness.UserEmail).AddRole(1001);
        var (doc, _) = await ImportAsync(h, roleId: 1001);

        AdvanceToRenewal(h, doc);
        var outcome = await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(startRotations: true));

        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        var after = (await h.GetAsync(Name))!;
        Assert.Contains("Manage own OAuth 2.0 Client Credentials Certificates", after.NeedsPersonReason, StringComparison.Ordinal);
        Assert.Equal(doc.Credentials.Current!.Id, after.Credentials.Current!.Id);
    }

    [Fact]
    public async Task A_sandbox_refresh_that_wiped_the_mapping_needs_a_person()
    {
        await using var h = await StartAsync();
        await ImportAsync(h);
        h.Simulator.State.RefreshSandbox(EngineHarness.Account);

        var outcome = await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(false));

        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        var after = (await h.GetAsync(Name))!;
        Assert.Contains("sandbox refresh", after.NeedsPersonReason, StringComparison.Ordinal);

        // No NetSuite call and no state write on every 5-minute sweep while it waits for a person...
        var writes = h.StateVault.Counters.Writes;
        h.Time.Advance(TimeSpan.FromSeconds(30)); // less than the first backoff (Engine:BaseRetryDelay = 1 min here)
        Assert.Equal(0, (await h.Sweeps.SweepAsync(startRotations: false)).Due);
        Assert.Equal(writes, h.StateVault.Counters.Writes);

        // ...but it is checked again on a slow backoff, so a fix made in NetSuite is noticed.
        h.Time.Advance(after.LastError!.RetryAt!.Value - h.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await h.Sweeps.SweepAsync(startRotations: false)).Due);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_wiped_mapping_is_retried_on_its_backoff_by_the_sweeps_not_at_every_sweep(bool rotationInGrace)
    {
        await using var h = await StartAsync();
        await ImportAsync(h);
        var name = ConnectionName.Parse(Name);
        if (rotationInGrace)
        {
            // A certificate rotation promoted its new certificate; the old one waits for the end of its grace period.
            var rotated = await h.Processor.RunAsync(name, new RunRequest { Now = true, Rotate = true, StartRotations = true, Trigger = "rotate-now" });
            Assert.Equal(RotationStep.Promoted, (await h.GetAsync(Name))!.Rotation?.Step);
        }

        h.Simulator.State.RefreshSandbox(EngineHarness.Account);

        var versions = h.StateVault.State.VersionCount(SecretNames.State(name));
        var calls = h.Simulator.State.AuditTrailFor(EngineHarness.Account).Count;

        // Two hours of 5-minute sweeps, each queue message worked.
        for (var step = 0; step < 24; step++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(5));
            await h.Sweeps.SweepAsync(startRotations: false);
            while (h.Queue.TryDequeue(out var item))
            {
                await h.Worker.ProcessAsync(item);
            }
        }

        // On the doubling backoff from 1 minute, two hours hold at most 7 tries, not 24.
        var tries = h.Simulator.State.AuditTrailFor(EngineHarness.Account).Count - calls;
        output.WriteLine($"{tries} NetSuite calls, {h.StateVault.State.VersionCount(SecretNames.State(name)) - versions} state versions");
        Assert.True(tries <= 8, $"{tries} NetSuite calls in two hours of sweeps");
        Assert.True(h.StateVault.State.VersionCount(SecretNames.State(name)) - versions <= 2, "state versions: " + (h.StateVault.State.VersionCount(SecretNames.State(name)) - versions));
        Assert.Equal(ConnectionStatus.NeedsPerson, (await h.GetAsync(Name))!.Status);
    }

    [Fact]
    public async Task The_same_refusal_again_makes_no_new_state_version_and_the_retries_still_back_off()
    {
        await using var h = await StartAsync();
        var (doc, _) = await ImportAsync(h);
        var name = ConnectionName.Parse(Name);
        h.Simulator.State.RevokeCertificate(EngineHarness.Account, doc.Credentials.Current!.Id);
        var first = await h.Processor.RunAsync(name, RunRequest.Sweep(false));
        Assert.Equal(OutcomeKind.NeedsPerson, first.Kind);
        var versions = h.StateVault.State.VersionCount(SecretNames.State(name));

        // NetSuite refuses the same way at each retry: nothing durable changed, so the retries write only the index row.
        var delays = new List<TimeSpan> { first.NextActionAt!.Value - h.Time.GetUtcNow() };
        var next = first.NextActionAt.Value;
        for (var retry = 0; retry < 3; retry++)
        {
            h.Time.Advance(next - h.Time.GetUtcNow() + TimeSpan.FromSeconds(1));
            Assert.Equal(1, (await h.Sweeps.SweepAsync(startRotations: false)).Due);
            var outcome = await h.Processor.RunAsync(name, RunRequest.Sweep(false));
            Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
            delays.Add(outcome.NextActionAt!.Value - h.Time.GetUtcNow());
            next = outcome.NextActionAt.Value;
        }

        Assert.Equal(versions, h.StateVault.State.VersionCount(SecretNames.State(name)));
        Assert.True(delays.Zip(delays.Skip(1)).All(d => d.Second > d.First), "The retries did not back off: " + string.Join(", ", delays));
        var after = (await h.GetAsync(Name))!;
        Assert.Equal(ConnectionStatus.NeedsPerson, after.Status);
        Assert.Contains("still mapped", after.NeedsPersonReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_certificate_needs_a_person()
    {
        await using var h = await StartAsync();
        var (doc, _) = await ImportAsync(h);
        h.Simulator.State.RevokeCertificate(EngineHarness.Account, doc.Credentials.Current!.Id);

        var outcome = await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(false));

        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        Assert.Equal(ConnectionStatus.NeedsPerson, (await h.GetAsync(Name))!.Status);
    }
}

/// <summary>Certificate rotation under a crash after every side effect (Key Vault, NetSuite, state), like the TBA one.</summary>
public sealed class CertificateCrashInjectionTests(ITestOutputHelper output)
{
    private const string Name = "m2m-crash";
    private static readonly TimeSpan Grace = TimeSpan.FromHours(48);

    [Fact]
    public async Task Certificate_rotation_converges_after_a_crash_at_every_side_effect()
    {
        var clean = await RunAsync(0);
        output.WriteLine($"clean run: {clean.Effects.Count} side effects");
        foreach (var effect in clean.Effects)
        {
            output.WriteLine("  " + effect);
        }

        Assert.Contains(clean.Effects, e => e.StartsWith("key vault certificate version", StringComparison.Ordinal));
        Assert.Contains(clean.Effects, e => e.Contains("certificates", StringComparison.Ordinal) && e.StartsWith("netsuite POST", StringComparison.Ordinal));
        for (var i = 1; i <= clean.Effects.Count; i++)
        {
            var replay = await RunAsync(i);
            Assert.True(replay.CrashedAt is not null, $"Replay {i} did not crash after '{clean.Effects[i - 1]}'.");
            output.WriteLine($"crash {i} after {replay.CrashedAt}: converged, {replay.Orphans} possible orphan(s)");
        }
    }

    private static async Task<(IReadOnlyList<string> Effects, string? CrashedAt, int Orphans)> RunAsync(int crashAfter)
    {
        await using var h = await ClientCredentialsTests.StartAsync();
        var (doc, integration) = await ClientCredentialsTests.ImportAsync(h, Name);
        var original = doc.Credentials.Current!.Id;
        h.Effects.Reset();
        h.Effects.CrashAfter = crashAfter;
        string? crashedAt = null;
        async Task Run(bool daily)
        {
            try
            {
                await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(daily));
            }
            catch (CrashException crash) when (crashedAt is null)
            {
                crashedAt = crash.Message;
            }
        }

        ClientCredentialsTests.AdvanceToRenewal(h, doc);
        await Run(daily: true);
        h.Time.Advance(Grace + TimeSpan.FromHours(1));
        await Run(daily: false);
        for (var i = 0; i < 40; i++)
        {
            var now = (await h.GetAsync(Name))!;
            if (now.Rotation is null && now.Credentials.Current!.Id != original)
            {
                break;
            }

            h.Time.Advance(now.Rotation?.Step == RotationStep.Promoted && now.Credentials.Previous?.RetireAfter is { } retire && retire > h.Time.GetUtcNow()
                ? retire - h.Time.GetUtcNow() + TimeSpan.FromMinutes(1)
                : TimeSpan.FromMinutes(10));
            await Run(daily: true);
        }

        var effects = h.Effects.Log;
        h.Effects.CrashAfter = 0;
        var final = (await h.GetAsync(Name))!;
        Assert.Null(final.Rotation);
        Assert.Null(final.Credentials.Pending);
        Assert.Null(final.Credentials.Previous);
        Assert.Equal(ConnectionStatus.Healthy, final.Status);
        var certificates = h.Simulator.State.Certificates(EngineHarness.Account, integration.ClientId);
        var current = Assert.Single(certificates, c => c.CertificateId == final.Credentials.Current!.Id);
        Assert.False(current.Revoked);
        var old = Assert.Single(certificates, c => c.CertificateId == original);
        Assert.True(old.Revoked);
        Assert.True(old.RevokedAt >= final.LastRotationAt + Grace, "The old certificate was revoked before its grace period ended.");
        var strays = certificates.Count(c => !c.Revoked && c.CertificateId != current.CertificateId);
        Assert.True(strays <= final.PossibleOrphans.Count, $"{strays} active certificate(s) are neither current nor recorded as possible orphans.");

        // And it still mints with the promoted certificate.
        h.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(OutcomeKind.Succeeded, (await h.Processor.RunAsync(ConnectionName.Parse(Name), RunRequest.Sweep(false))).Kind);
        return (effects, crashedAt, final.PossibleOrphans.Count);
    }
}

/// <summary>Bootstrap and the way off TBA: the key is made where it lives, a person maps it, the connection verifies.</summary>
public sealed class ClientCredentialsSetupTests
{
    [Fact]
    public async Task Migration_from_TBA_prepares_a_key_for_the_same_role_and_entity_and_publishes_once_it_verifies()
    {
        await using var h = await ClientCredentialsTests.StartAsync();
        var integration = h.SeedAccount(twoFactor: false);
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(h.TbaConnection("legacy-tba", integration), dryRun: false)).Kind);
        var setup = h.Services.GetRequiredService<ClientCredentialsSetup>();

        var (certificate, tba) = await setup.PrepareMigrationAsync(ConnectionName.Parse("legacy-tba"), ConnectionName.Parse("legacy-m2m"));

        Assert.StartsWith("-----BEGIN CERTIFICATE-----", certificate.CertificatePem, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", certificate.CertificatePem, StringComparison.Ordinal);
        Assert.Equal("1000", certificate.RoleId);
        Assert.Equal(tba.Tba!.ExpectedEntityId, certificate.EntityId);
        Assert.Contains("OAuth 2.0 Client Credentials (M2M) Setup", certificate.Instructions, StringComparison.Ordinal);

        // The person maps the certificate in NetSuite (here: the simulator) and copies the certificate id.
        using var x509 = X509Certificate2.CreateFromPem(certificate.CertificatePem);
        var mapped = h.Simulator.State.AddCertificate(EngineHarness.Account, integration.ClientId, int.Parse(certificate.EntityId!, System.Globalization.CultureInfo.InvariantCulture), 1000, x509);
        var outcome = await setup.CompleteAsync(ConnectionName.Parse("legacy-m2m"), EngineHarness.Account, integration.ClientId, "1000", certificate.EntityId!, certificate, mapped.CertificateId, null, dryRun: false);

        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        var published = await h.Consumers.GetAsync(ConnectionName.Parse("legacy-m2m"));
        Assert.NotNull(published);
        Assert.Equal(certificate.EntityId, NetSuiteTokenFacts.Read(published.Value).EntityId);
        var statuses = await h.Status.StatusAsync();
        Assert.Contains(statuses, s => s.Name == "legacy-tba" && s.Kind == ConnectionKind.Tba);
        Assert.Contains(statuses, s => s.Name == "legacy-m2m" && s.Kind == ConnectionKind.OAuth2ClientCredentials);
    }

    [Fact]
    public async Task Completing_with_a_certificate_id_NetSuite_does_not_know_needs_a_person()
    {
        await using var h = await ClientCredentialsTests.StartAsync();
        var integration = h.SeedAccount(twoFactor: false);
        var setup = h.Services.GetRequiredService<ClientCredentialsSetup>();
        var certificate = await setup.CreateKeyAsync(ConnectionName.Parse("fresh-m2m"), "1000", "1");

        var outcome = await setup.CompleteAsync(ConnectionName.Parse("fresh-m2m"), EngineHarness.Account, integration.ClientId, "1000", "1", certificate, "not-a-mapped-certificate", null, dryRun: false);

        Assert.Equal(OutcomeKind.NeedsPerson, outcome.Kind);
        Assert.Null(await h.Consumers.GetAsync(ConnectionName.Parse("fresh-m2m")));
    }
}
