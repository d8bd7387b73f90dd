using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Engine;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>One credential, one connection, also when two imports of it under two names run at the same time.</summary>
public sealed class DuplicateCredentialTests
{
    [Fact]
    public async Task Two_concurrent_imports_of_the_same_TBA_token_under_two_names_store_at_most_one()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var first = h.TbaConnection("tba-first", integration);
        var second = h.TbaConnection("tba-second", integration);
        second.Credentials.Current = new RotatedCredential
        {
            Id = first.Credentials.Current!.Id, Secret = first.Credentials.Current.Secret, Name = "the same token", IssuedAt = h.Time.GetUtcNow(),
        };

        var outcomes = await PumpAsync(h.Time, Task.WhenAll(h.Imports.ImportAsync(first, dryRun: false), h.Imports.ImportAsync(second, dryRun: false)));

        var won = Assert.Single(outcomes, o => o.Kind == OutcomeKind.Succeeded);
        var lost = Assert.Single(outcomes, o => o.Kind != OutcomeKind.Succeeded);
        Assert.True(lost.Kind is OutcomeKind.Refused or OutcomeKind.Conflict, $"{lost.Kind}: {lost.Message}");
        Assert.Null(await h.GetAsync(lost.Connection));
        Assert.NotNull(await h.GetAsync(won.Connection));
    }

    [Fact]
    public async Task A_dry_run_import_of_a_token_another_connection_holds_is_refused()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var first = h.TbaConnection("tba-held", integration);
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(first, dryRun: false)).Kind);
        var copy = h.TbaConnection("tba-copy", integration);
        copy.Credentials.Current = new RotatedCredential { Id = first.Credentials.Current!.Id, Secret = first.Credentials.Current.Secret, IssuedAt = h.Time.GetUtcNow() };

        var dryRun = await h.Imports.ImportAsync(copy, dryRun: true);

        Assert.Equal(OutcomeKind.Refused, dryRun.Kind);
        Assert.Contains("already connection tba-held's", dryRun.Message, StringComparison.Ordinal);
        Assert.Null(await h.GetAsync("tba-copy"));
    }

    [Fact]
    public async Task The_lease_of_a_credential_is_named_by_a_keyed_hash_never_by_its_token_id()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var first = h.TbaConnection("tba-one", integration);
        var same = h.TbaConnection("tba-same", integration);
        same.Credentials.Current = first.Credentials.Current;
        var other = h.TbaConnection("tba-other", integration);
        var fingerprints = new CredentialFingerprints(h.Services.GetRequiredService<IServiceKeyStore>());

        var key = await fingerprints.LeaseKeyAsync(first, CancellationToken.None);
        var sameKey = await fingerprints.LeaseKeyAsync(same, CancellationToken.None);
        var otherKey = await fingerprints.LeaseKeyAsync(other, CancellationToken.None);
        var oauth = await fingerprints.LeaseKeyAsync(await h.ConsentedOAuth2ConnectionAsync("oauth-none", integration, publicClient: false), CancellationToken.None);

        Assert.Matches("^credential-[0-9a-f]{40}$", key);
        Assert.Equal(key, sameKey);
        Assert.NotEqual(key, otherKey);
        Assert.DoesNotContain(first.Credentials.Current!.Id[..16], key, StringComparison.Ordinal);
        var unkeyed = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"tba|{EngineHarness.Account}|{first.Credentials.Current.Id}")));
        Assert.DoesNotContain(key!["credential-".Length..], unkeyed, StringComparison.Ordinal);
        Assert.Null(oauth);
    }
}
