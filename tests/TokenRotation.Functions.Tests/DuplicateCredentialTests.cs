using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// One credential, one connection, for every caller of the engine's import (the app's composition, not only the CLI):
/// a TBA token another connection holds is refused, and nothing is stored.
/// </summary>
public sealed class DuplicateCredentialTests
{
    [Fact]
    public async Task An_import_in_the_app_of_a_TBA_token_another_connection_holds_is_refused_and_stores_nothing()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var integration = env.SeedAccount();
        var first = FunctionsTestEnvironment.NewName();
        var held = await env.SaveTbaAsync(first, integration);
        var second = FunctionsTestEnvironment.NewName();
        var copy = new ConnectionDocument
        {
            Name = second,
            Kind = ConnectionKind.Tba,
            Account = FunctionsTestEnvironment.Account,
            Tba = new TbaDefinition
            {
                ConsumerKey = held.Tba!.ConsumerKey,
                ConsumerSecret = held.Tba.ConsumerSecret,
                User = held.Tba.User,
            },
            Credentials = new CredentialSlots
            {
                Current = new RotatedCredential { Id = held.Credentials.Current!.Id, Secret = held.Credentials.Current.Secret, Name = "copied", IssuedAt = env.Time.GetUtcNow() },
            },
        };

        var outcome = await env.Services.GetRequiredService<ConnectionImport>().ImportAsync(copy, dryRun: false);

        Assert.Equal(OutcomeKind.Refused, outcome.Kind);
        Assert.Contains($"TBA token {held.Credentials.Current.Id} is already connection {first}'s", outcome.Message, StringComparison.Ordinal);
        Assert.Null(await env.GetAsync(second));
    }
}
